import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { buildGoldenChain } from "./goldenChain";
import { GOLDEN_NAMES, readGolden, tamperedFile, TIMELINE_FIXTURE, validFile } from "./fixtureFiles";
import { freePort, startHardhatNode, type RunningNode } from "./hardhatNode";
import { TAMPERS } from "./tamperTable";

const ROOT = path.join(__dirname, "..", "..");
const BIN = path.join(ROOT, "verifier", "bin", "repayproof.js");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` as a child process and collects its output. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The test process's environment without RPC_URL, so the CLI's default for --rpc is what each test sets. */
const { RPC_URL: _rpcUrl, ...ENV } = process.env;

/** Runs the CLI as a child process, the way `npx repayproof` does. */
const cli = (...args: string[]): Promise<Run> => run(process.execPath, [BIN, ...args], ENV);
const cliWithEnv = (env: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> =>
  run(process.execPath, [BIN, ...args], { ...ENV, ...env });

describe("repayproof CLI", function () {
  let node: RunningNode;

  before(async function () {
    node = await startHardhatNode();
    // The same deterministic chain the golden files come from, on a real JSON-RPC node.
    const provider = new JsonRpcProvider(node.url, 31337, { staticNetwork: true });
    try {
      const chain = await buildGoldenChain(provider);
      expect(chain.bundles).to.deep.equal(readGolden());
    } finally {
      provider.destroy();
    }
  });

  after(async function () {
    await node?.stop();
  });

  it("behavior: verify exits 0 for the golden directory, one ✓ line per bundle and a summary", async function () {
    const r = await cli("verify", path.join(ROOT, "test", "fixtures", "bundles", "valid"), "--rpc", node.url);
    expect(r.code, r.stderr + r.stdout).to.equal(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).to.have.length(GOLDEN_NAMES.length + 1);
    for (const l of lines.slice(0, -1))
      expect(l).to.match(/^✓ valid .*FORMAT✓ CHAIN✓ DIGEST✓ SIGNATURE✓ ROLE✓ INCLUSION✓ ANCHOR✓ FINALITY✓/);
    const n = GOLDEN_NAMES.length;
    expect(lines.at(-1)).to.match(new RegExp(`^${n} bundles: ${n} valid, 0 invalid`));
  });

  it("behavior: an unpinned run says UNPINNED on every verdict line, in the summary and in --json; a pinned one does not", async function () {
    const unpinned = await cli("verify", validFile("settled"), "--rpc", node.url);
    expect(unpinned.code).to.equal(0);
    const [line, summary] = unpinned.stdout.trim().split("\n");
    expect(line).to.match(/^✓ valid\s+UNPINNED /);
    expect(summary).to.match(/UNPINNED: no --anchor given/);
    const json = JSON.parse((await cli("verify", validFile("settled"), "--rpc", node.url, "--json")).stdout);
    expect(json.pinned).to.equal(false);
    const d = readGolden().settled!.contracts;
    const pinned = await cli(
      "verify",
      validFile("settled"),
      "--rpc",
      node.url,
      "--anchor",
      d.anchor,
      "--registry",
      d.registry,
    );
    expect(pinned.code, pinned.stdout).to.equal(0);
    expect(pinned.stdout).to.not.contain("UNPINNED");
  });

  it("behavior: --json reports every check of every bundle and a summary", async function () {
    const r = await cli("verify", validFile("settled"), validFile("contract-attester"), "--rpc", node.url, "--json");
    expect(r.code, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout) as { results: Record<string, unknown>[]; summary: Record<string, number> };
    expect(out.summary).to.deep.equal({ total: 2, valid: 2, invalid: 0, breaches: 0, errors: 0, anchorLookups: 2 });
    for (const res of out.results) {
      expect(res).to.include.keys("file", "valid", "authentic", "inconclusive", "digest", "checks", "anchor");
      expect(res.anchor).to.have.keys("stream", "seq", "count", "timestamp", "blockNumber", "confirmations");
      expect((res.checks as { status: string }[]).map((c) => c.status)).to.deep.equal(new Array(9).fill("pass"));
    }
  });

  it("error: verify exits 1 for every tampered file, each failing with its own code", async function () {
    const files = TAMPERS.filter((t) => t.confirmations === undefined);
    const r = await cli("verify", ...files.map((t) => tamperedFile(t.name)), "--rpc", node.url, "--json");
    expect(r.code, r.stderr).to.equal(1);
    const out = JSON.parse(r.stdout) as {
      results: { checks: { check: string; status: string; code?: string; field?: string }[] }[];
    };
    files.forEach((t, i) => {
      const failed = out.results[i]!.checks.find((c) => c.status === "fail");
      expect(failed, t.name).to.deep.include({ check: t.check, code: t.code, field: t.field });
    });
  });

  it("error: verify exits 1 with a ✗ line naming the code for one tampered bundle", async function () {
    const r = await cli("verify", tamperedFile("amount"), "--rpc", node.url);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/^✗ invalid .*DIGEST✗ .*DIGEST_MISMATCH/m);
  });

  it("error: verify exits 1 when the anchor has too few confirmations", async function () {
    const r = await cli("verify", validFile("settled"), "--rpc", node.url, "--confirmations", "1000");
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/FINALITY✗ .*NOT_FINAL/);
  });

  it("error: a late anchor is shown as an operator breach and exits 1", async function () {
    const r = await cli("verify", tamperedFile("late-ack"), "--rpc", node.url);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/^⚠ breach .*OPERATOR_BREACH_LATE_ANCHOR/m);
  });

  it("error: a bundle naming other contracts than --anchor exits 1 with UNTRUSTED_CONTRACTS", async function () {
    const r = await cli("verify", validFile("settled"), "--rpc", node.url, "--anchor", "0x" + "11".repeat(20));
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/UNTRUSTED_CONTRACTS/);
  });

  it("behavior: --rpc=URL works like --rpc URL, and RPC_URL is the default for --rpc", async function () {
    const joined = await cli("verify", validFile("settled"), `--rpc=${node.url}`);
    expect(joined.code, joined.stderr).to.equal(0);
    const fromEnv = await cliWithEnv({ RPC_URL: node.url }, "verify", validFile("settled"));
    expect(fromEnv.code, fromEnv.stderr).to.equal(0);
    expect(fromEnv.stdout).to.match(/^✓ valid /m);
    // An explicit --rpc wins over the environment.
    const dead = await cliWithEnv({ RPC_URL: "http://127.0.0.1:9" }, "verify", validFile("settled"), "--rpc", node.url);
    expect(dead.code, dead.stderr).to.equal(0);
  });

  it("behavior: --version prints the package version and the crypto backends in use", async function () {
    const r = await cli("--version");
    expect(r.code).to.equal(0);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "verifier", "package.json"), "utf8")) as { version: string };
    expect(r.stdout).to.include(`repayproof ${pkg.version}`);
    expect(r.stdout)
      .to.match(/^keccak: hash-wasm/m)
      .and.match(/^secp256k1: libsecp256k1$/m);
    // Forced onto the pure-JavaScript backends, it says so.
    const js = await cliWithEnv({ REPAYPROOF_CRYPTO: "js" }, "--version");
    expect(js.stdout)
      .to.match(/^secp256k1: @noble\/curves$/m)
      .and.match(/^keccak: js-sha3/m);
  });

  it("behavior: help for one command, as `help verify` or `verify --help`, exits 0", async function () {
    for (const args of [
      ["help", "verify"],
      ["verify", "--help"],
      ["verify", "-h"],
    ]) {
      const r = await cli(...args);
      expect(r.code, args.join(" ")).to.equal(0);
      expect(r.stdout)
        .to.match(/^usage: repayproof verify /)
        .and.include("RPC_URL")
        .and.include("--confirmations");
      expect(r.stdout).to.not.include("verify-timeline <timeline.json>");
    }
    const all = await cli("help");
    expect(all.code).to.equal(0);
    expect(all.stdout).to.include("repayproof verify-timeline").and.include("repayproof inspect");
  });

  it("error: an unknown option exits 2 with one line naming it, then that command's usage", async function () {
    const r = await cli("verify", validFile("settled"), "--rpc", node.url, "--bogus");
    expect(r.code).to.equal(2);
    const [first, second] = r.stderr.split("\n");
    expect(first).to.equal("repayproof verify: unknown option --bogus");
    expect(second).to.match(/^usage: repayproof verify </);
    expect(r.stderr).to.not.include("repayproof inspect");
  });

  it("error: usage mistakes exit 2", async function () {
    for (const args of [
      [],
      ["frobnicate"],
      ["verify"],
      ["verify", validFile("settled")],
      ["verify", validFile("settled"), "--rpc", node.url, "--confirmations", "0"],
      ["verify", validFile("settled"), "--rpc", node.url, "--bogus"],
      ["inspect"],
      ["inspect", validFile("settled"), validFile("due-no-ack")],
      ["help", "frobnicate"],
      ["verify", validFile("settled"), "--rpc"],
      ["verify", validFile("settled"), "--json=yes", "--rpc", node.url],
    ]) {
      const r = await cli(...args);
      expect(r.code, args.join(" ")).to.equal(2);
      expect(r.stderr).to.match(/usage:/);
    }
  });

  it("error: a missing file and an unreachable RPC exit 2", async function () {
    const missing = await cli("verify", path.join(ROOT, "no-such-bundle.json"), "--rpc", node.url);
    expect(missing.code).to.equal(2);
    const port = await freePort();
    const dead = await cli("verify", validFile("settled"), "--rpc", `http://127.0.0.1:${port}`);
    expect(dead.code).to.equal(2);
    expect(dead.stderr).to.match(/cannot reach the RPC/);
  });

  it("behavior: inspect prints kind names, amounts with currency and UTC times", async function () {
    const r = await cli("inspect", validFile("settled"));
    expect(r.code).to.equal(0);
    expect(r.stdout).to.include("SETTLED (3)").and.include("1,250.00 CNY").and.include("2030-03-17 17:35:00 UTC");
    expect(r.stdout).to.include("mobile banking");
  });

  it("behavior: inspect prints a timeline, one line per event, recognized by its format field", async function () {
    const r = await cli("inspect", TIMELINE_FIXTURE);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^RepayProof timeline \(repayproof\/timeline@1\), chain 31337/);
    expect(r.stdout)
      .to.match(/^ {2}\[0\] anchored {2}batch 0 {2}DUE /m)
      .and.match(/^ {2}\[3\] pending .* FORWARDED /m);
    expect(r.stdout).to.include("events: 4 (3 anchored, 1 pending)");
  });

  it("error: inspect names an unknown format, and exits 1", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-inspect-"));
    try {
      const file = path.join(dir, "other.json");
      fs.writeFileSync(file, JSON.stringify({ format: "repayproof/receipt-proof@2" }));
      const r = await cli("inspect", file);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/format "repayproof\/receipt-proof@2"/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("error: control characters from a file are printed escaped, never sent to the terminal", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-escape-"));
    try {
      // An unknown field named with a terminal escape (clear screen, red) and a bidi override.
      const file = path.join(dir, "evil.json");
      fs.writeFileSync(file, JSON.stringify({ ...readGolden().settled, "\u001b[2J\u001b[31m\u202e": 1 }));
      for (const args of [
        ["inspect", file],
        ["verify", file, "--rpc", node.url],
      ]) {
        const r = await cli(...args);
        expect(r.code, args[0]).to.equal(1);
        const printed = r.stdout + r.stderr;
        expect(printed, args[0]).to.include("\\x1b[2J\\x1b[31m\\u202e");
        const raw = [...printed].filter((c) => {
          const n = c.charCodeAt(0);
          return (n < 0x20 && c !== "\n") || (n >= 0x7f && n <= 0x9f) || c === "\u202e";
        });
        expect(raw, args[0]).to.deep.equal([]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("behavior: verify-timeline exits 0 for the golden timeline and names each check", async function () {
    const r = await cli("verify-timeline", TIMELINE_FIXTURE, "--rpc", node.url);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout)
      .to.match(/^✓ valid /)
      .and.match(/✓ EVALUATION/);
  });

  it("error: inspect exits 1 for a malformed bundle", async function () {
    const r = await cli("inspect", tamperedFile("format-amount-as-number"));
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/receipt\.amount/);
  });

  describe("hardhat task repayproof:verify", function () {
    const hardhat = (bundle: string): Promise<Run> =>
      run(
        path.join(ROOT, "node_modules", ".bin", "hardhat"),
        ["repayproof:verify", "--bundle", bundle, "--network", "localhost"],
        { ...process.env, NODE_URL: node.url, HARDHAT_NETWORK: undefined },
      );

    it("behavior: verifies a golden bundle over the network's provider (exit 0)", async function () {
      const r = await hardhat(validFile("settled"));
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^✓ valid /m);
    });

    it("error: exits 1 for a tampered bundle", async function () {
      const r = await hardhat(tamperedFile("proof-element"));
      expect(r.code).to.equal(1);
      expect(r.stdout).to.match(/INCLUSION✗ .*NOT_INCLUDED/);
    });
  });

  describe("docs/verifying.md", function () {
    it("behavior: the by-hand script (ethers + OpenZeppelin only) confirms a golden bundle", async function () {
      const doc = fs.readFileSync(path.join(ROOT, "docs", "verifying.md"), "utf8");
      const script = /## By hand[\s\S]*?```js\n([\s\S]*?)```/.exec(doc)?.[1];
      expect(script, "the js block of the by-hand section").to.be.a("string");
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-doc-"));
      try {
        const file = path.join(dir, "verify-by-hand.js");
        fs.writeFileSync(file, script!);
        const env = { ...process.env, NODE_PATH: path.join(ROOT, "node_modules") };
        for (const name of ["settled", "contract-attester", "settled-batch-ack"]) {
          const r = await run(process.execPath, [file, validFile(name), node.url], env);
          expect(r.code, r.stderr).to.equal(0);
          const out = JSON.parse(r.stdout) as Record<string, unknown>;
          const expected = { chain: true, digest: true, signature: true, role: true, inclusion: true, anchor: true };
          // The script handles EOA attesters only (it says so); the wallet-signed receipt fails its ECDSA line.
          expect(out).to.include(name === "contract-attester" ? { ...expected, signature: false } : expected);
          expect(out.ackOnTime).to.equal(true);
        }
        for (const name of ["late-ack", "late-batch-ack", "ack-batch-proof-element", "ack-batch-other-tree"]) {
          const bad = await run(process.execPath, [file, tamperedFile(name), node.url], env);
          expect(JSON.parse(bad.stdout), name).to.include({ ackOnTime: false, inclusion: true });
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
