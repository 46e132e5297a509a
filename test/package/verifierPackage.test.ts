import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import request from "supertest";
import { KIND } from "@repayproof/verifier";
import { waitFor } from "../helpers/waitFor";
import { bearer, makeParties, makeReceipt, boundId, signReceipt } from "../helpers/parties";
import { startRouteFixture, type RouteFixture } from "../helpers/routeFixture";
import { installPackedVerifier } from "./packedVerifier";

/** Runs `npx repayproof …` in `cwd` (a folder outside the repository) and collects its exit code and output. */
function npx(cwd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile("npx", ["--no", "repayproof", ...args], { cwd }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 2) : 0;
      resolve({ code, out: stdout + stderr });
    });
  });
}

describe("the verifier package: npm pack ./verifier, installed in an empty folder", function () {
  this.timeout(240_000);
  let f: RouteFixture;
  let dir: string;
  let app: string;
  let bundle: Record<string, unknown> & { receipt: Record<string, unknown> };

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-pack-"));
    const { installedBytes } = installPackedVerifier(dir);
    console.log(`      installed: the verifier and its dependencies take ${(installedBytes / 1e6).toFixed(1)} MB`);
    app = path.join(dir, "app");
    const p = makeParties();
    f = await startRouteFixture({ batchIntervalMs: 3_600_000 });
    const agreementId = boundId(p);
    await f.register(p, agreementId);
    const signed = [KIND.DUE, KIND.CONFIRMED].map((k) =>
      signReceipt(
        f.d,
        makeReceipt(agreementId, k === KIND.DUE ? p.platform : p.funder, k),
        k === KIND.DUE ? p.platform : p.funder,
      ),
    );
    expect((await f.post({ items: signed.map((s) => s.item) })).status).to.equal(202);
    await f.svc.pipeline.batcher.seal();
    const auth = bearer(f.d, p.funder);
    const proof = () => request(f.app).get(`/v1/receipts/${signed[1]!.digest}/proof`).set("authorization", auth);
    await waitFor("the proof", async () => (await proof()).status === 200);
    bundle = (await proof()).body;
    fs.writeFileSync(path.join(app, "bundle.json"), JSON.stringify(bundle));
    fs.writeFileSync(
      path.join(app, "tampered.json"),
      JSON.stringify({ ...bundle, receipt: { ...bundle.receipt, amount: "1" } }),
    );
  });

  after(async function () {
    await f?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("behavior: installs from the tarball alone, with no TypeScript, and runs compiled JavaScript", function () {
    const installed = path.join(app, "node_modules", "@repayproof", "verifier");
    expect(fs.existsSync(path.join(installed, "dist", "cli", "main.js"))).to.equal(true);
    expect(fs.existsSync(path.join(installed, "src")), "sources are not shipped").to.equal(false);
    expect(fs.existsSync(path.join(app, "node_modules", "typescript"))).to.equal(false);
    expect(fs.existsSync(path.join(app, "node_modules", "ts-node"))).to.equal(false);
  });

  it("behavior: npx repayproof verify exits 0 on a served bundle, pinned to the deployment", async function () {
    const r = await npx(app, [
      "verify",
      "bundle.json",
      "--rpc",
      f.node.url,
      "--anchor",
      f.d.anchor,
      "--registry",
      f.d.registry,
    ]);
    expect(r.code, r.out).to.equal(0);
    expect(r.out).to.match(/1 bundle: 1 valid/);
  });

  it("error: npx repayproof verify exits 1 on a tampered bundle", async function () {
    const r = await npx(app, [
      "verify",
      "tampered.json",
      "--rpc",
      f.node.url,
      "--anchor",
      f.d.anchor,
      "--registry",
      f.d.registry,
    ]);
    expect(r.code, r.out).to.equal(1);
    expect(r.out).to.contain("DIGEST_MISMATCH");
  });
});
