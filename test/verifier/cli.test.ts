import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { buildGoldenChain } from "./goldenChain";
import { GOLDEN_NAMES, readGolden, tamperedFile, validFile } from "./fixtureFiles";
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

/** Runs the CLI as a child process, the way `npx repayproof` does. */
const cli = (...args: string[]): Promise<Run> => run(process.execPath, [BIN, ...args]);

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
    expect(lines.at(-1)).to.match(/^3 bundles: 3 valid, 0 invalid/);
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
    const out = JSON.parse(r.stdout) as { results: { checks: { check: string; status: string; code?: string }[] }[] };
    files.forEach((t, i) => {
      const failed = out.results[i]!.checks.find((c) => c.status === "fail");
      expect(failed, t.name).to.deep.include({ check: t.check, code: t.code });
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

  it("error: usage mistakes exit 2", async function () {
    for (const args of [
      [],
      ["frobnicate"],
      ["verify"],
      ["verify", validFile("settled")],
      ["verify", validFile("settled"), "--rpc", node.url, "--confirmations", "0"],
      ["verify", validFile("settled"), "--rpc", node.url, "--bogus"],
      ["inspect"],
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
        for (const name of ["settled", "contract-attester"]) {
          const r = await run(process.execPath, [file, validFile(name), node.url], env);
          expect(r.code, r.stderr).to.equal(0);
          const out = JSON.parse(r.stdout) as Record<string, unknown>;
          const expected = { chain: true, digest: true, signature: true, role: true, inclusion: true, anchor: true };
          // The script handles EOA attesters only (it says so); the wallet-signed receipt fails its ECDSA line.
          expect(out).to.include(name === "settled" ? expected : { ...expected, signature: false });
          expect(out.ackOnTime).to.equal(true);
        }
        const late = await run(process.execPath, [file, tamperedFile("late-ack"), node.url], env);
        expect(JSON.parse(late.stdout)).to.include({ ackOnTime: false, inclusion: true });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
