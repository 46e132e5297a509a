import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { KIND } from "@repayproof/verifier";
import { devOnlyPackages, writeNoDevDepsHook, type HookEvent, type NoDevDepsHook } from "../helpers/noDevDeps";
import { bearer, makeParties, makeReceipt, boundId, signReceipt } from "../helpers/parties";
import { baseEnv, startSpawnFixture, type SpawnFixture } from "../helpers/spawnFixture";
import { waitFor } from "../helpers/waitFor";

const CLI = "verifier/bin/repayproof.js";
const ROOT_PACKAGE = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
/** The root package.json's devDependencies that are not also dependencies: the list. */
const ROOT_DEV = Object.keys(ROOT_PACKAGE.devDependencies).filter((n) => !(n in ROOT_PACKAGE.dependencies));
/**
 * Dev-only packages that production code probes for and does without (the hook makes them missing, as an
 * install without dev dependencies does, and the prober carries on): package → who probes it, and why.
 */
const OPTIONAL_PROBES: Record<string, string> = {
  "supports-color": "debug (under express) tries it for coloured output, inside a try/catch",
};
const packageOf = (request: string): string =>
  request.startsWith("@") ? request.split("/").slice(0, 2).join("/") : (request.split("/")[0] as string);

/**
 * The "done when": what production runs — the built service, its ingest worker threads, and the
 * verifier's CLI — loads no package that an install without dev dependencies would lack. A preload (through
 * NODE_OPTIONS, so in every process and every worker thread) makes any such require throw and logs it.
 */
describe("the built service and CLI run with no dev dependency loaded", function () {
  this.timeout(180_000);
  let f: SpawnFixture;
  let hook: NoDevDepsHook;
  let env: NodeJS.ProcessEnv;
  const forbidden = (pid?: number): Extract<HookEvent, { event: "forbidden" }>[] =>
    hook
      .events()
      .filter((e): e is Extract<HookEvent, { event: "forbidden" }> => e.event === "forbidden")
      .filter((e) => pid === undefined || e.pid === pid);
  /** What `pid` tried to load that production has not got, other than the known optional probes. */
  const missingIn = (pid: number): string[] =>
    forbidden(pid)
      .map((e) => e.request)
      .filter((r) => !(packageOf(r) in OPTIONAL_PROBES));
  const threadsOf = (pid: number): number[] =>
    hook
      .events()
      .filter((e) => e.event === "loaded" && e.pid === pid)
      .map((e) => e.threadId);

  before(async function () {
    f = await startSpawnFixture({ service: false });
    hook = writeNoDevDepsHook(f.dir);
    env = baseEnv({ NODE_OPTIONS: hook.nodeOptions });
  });

  after(async function () {
    await f?.close();
  });

  it("behavior: the forbidden list is the lock's dev-only packages: the toolchain in, what production needs out", function () {
    const { names } = devOnlyPackages();
    expect(names).to.include.members(["typescript", "ts-node", "hardhat", "chai", "mocha", "solc", "@types/chai"]);
    // Every devDependency of the root package that is not also needed at run time is forbidden.
    // The verifier workspace's dependencies, and @types/node, which ethers depends on.
    const runtime = ["hash-wasm", "js-sha3", "secp256k1", "@types/node"];
    expect(names).to.include.members(ROOT_DEV.filter((n) => !runtime.includes(n)));
    for (const probe of Object.keys(OPTIONAL_PROBES)) expect(ROOT_DEV, probe).to.not.include(probe);
    // Runtime dependencies, also those of the verifier workspace that the root lists as dev dependencies.
    for (const n of ["ethers", "express", "level", "pino", "prom-client", "hash-wasm", "js-sha3", "secp256k1"])
      expect(names, n).to.not.include(n);
  });

  it("error: the hook refuses a dev dependency on the main thread, by name or by path, and lets the rest load", async function () {
    const tsFile = require.resolve("typescript");
    for (const request of ["typescript", tsFile, "ts-node/register"]) {
      const r = await f.runNode(["-e", `require(${JSON.stringify(request)})`], env);
      expect(r.code, request).to.equal(1);
      expect(r.output, request).to.include("MODULE_NOT_FOUND");
      // Without the hook the same require loads: it is the hook that refused it.
      expect((await f.runNode(["-e", `require(${JSON.stringify(request)})`], baseEnv())).code, request).to.equal(0);
    }
    const allowed = await f.runNode(
      ["-e", 'require("ethers"); require("@repayproof/verifier"); require("level")'],
      env,
    );
    expect(allowed.code, allowed.output).to.equal(0);
    expect(forbidden().map((e) => (e as { request: string }).request)).to.include.members([
      "typescript",
      tsFile,
      "ts-node/register",
    ]);
  });

  it("error: the hook refuses a dev dependency in a worker thread started without the parent's flags", async function () {
    // As the ingest pool starts its workers: execArgv [] drops -r preloads, but NODE_OPTIONS still applies.
    const script = `
const { Worker } = require("node:worker_threads");
const w = new Worker('require("typescript")', { eval: true, execArgv: [] });
w.on("error", (e) => { console.log("worker failed: " + e.code); });
w.on("exit", (code) => { console.log("worker exit " + code); });
`;
    const before = forbidden().length;
    const r = await f.runNode(["-e", script], env);
    expect(r.code, r.output).to.equal(0);
    expect(r.stdout).to.include("worker failed: MODULE_NOT_FOUND");
    const refused = forbidden().slice(before);
    expect(
      refused.map((e) => e.threadId),
      "refused in the worker, not the main thread",
    ).to.satisfy((ids: number[]) => ids.length > 0 && ids.every((id) => id > 0));
  });

  it("behavior: the service, its ingest workers included, accepts receipts and anchors them; the CLI verifies one", async function () {
    const svc = await f.start({ NODE_OPTIONS: hook.nodeOptions, WORKERS: "2", BATCH_INTERVAL_MS: "200" });
    const pid = svc.child.pid!;
    const p = makeParties();
    const agreementId = boundId(p);
    await f.register(p, agreementId);
    const signed = Array.from({ length: 6 }, (_, i) =>
      signReceipt(f.d, makeReceipt(agreementId, p.platform, KIND.DUE, { installment: i + 1 }), p.platform),
    );
    // Single and batched bodies, several at once so both workers preprocess.
    const posted = await Promise.all([
      f.post("/v1/receipts", signed[0]!.item),
      f.post("/v1/receipts", { items: signed.slice(1, 3).map((s) => s.item) }),
      f.post("/v1/receipts", { items: signed.slice(3).map((s) => s.item) }),
    ]);
    for (const r of posted) expect(r.status, JSON.stringify(r.body)).to.equal(202);
    const auth = bearer(f.d, p.funder);
    await waitFor("every receipt anchored", async () => {
      for (const s of signed) {
        const st = (await f.get(`/v1/receipts/${s.digest}`, auth)).body.status;
        if (st !== "anchored" && st !== "final") return false;
      }
      return true;
    });
    const threads = threadsOf(pid);
    expect(threads, "the hook ran on the service's main thread").to.include(0);
    expect(
      threads.filter((t) => t > 0),
      "and in its worker threads",
    ).to.have.length.at.least(2);
    expect(missingIn(pid), "dev packages the service tried to load").to.deep.equal([]);

    const proof = await f.get(`/v1/receipts/${signed[0]!.digest}/proof`, auth);
    expect(proof.status).to.equal(200);
    const file = path.join(f.dir, "bundle.json");
    fs.writeFileSync(file, JSON.stringify(proof.body));
    await f.stop();
    expect(missingIn(pid), "nor while stopping").to.deep.equal([]);
    expect(
      forbidden(pid).map((e) => packageOf(e.request)),
      "a root devDependency",
    ).to.not.include.members(ROOT_DEV);

    for (const args of [["--help"], ["verify", file, "--rpc", f.node.url]]) {
      const before = hook.events().length;
      const r = await f.runNode([CLI, ...args], env);
      expect(r.code, `repayproof ${args.join(" ")}: ${r.output}`).to.equal(0);
      const ran = hook.events().slice(before);
      expect(
        ran.filter((e) => e.event === "loaded"),
        "the hook ran in the CLI",
      ).to.have.length.at.least(1);
      expect(
        ran.filter((e) => e.event === "forbidden"),
        `repayproof ${args[0]}`,
      ).to.deep.equal([]);
    }
  });
});
