import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { KIND, verifyReceiptBundle } from "@repayproof/verifier";
import type { Deployment } from "../../scripts/lib/deployContracts";
import { startHardhatNode, type RunningNode } from "./hardhatNode";
import { serviceEnv, tempDir } from "../service/helpers/inProcess";
import {
  agreementBody,
  bearer,
  deployOn,
  makeParties,
  makeReceipt,
  randomId,
  signReceipt,
} from "../service/helpers/parties";
import { spawnService, type ServiceProcess } from "../service/helpers/serviceProcess";
import { waitFor } from "../service/helpers/audit";

const ROOT = path.join(__dirname, "..", "..");

function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "verifier", "bin", "repayproof.js"), ...args], {
      cwd: ROOT,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The "done when": proof bundles served by the real service (a child process) verify with the CLI
 * against the node after the service has stopped — the verifier needs only the bundle and the chain.
 */
describe("bundles from the service, verified with the service stopped", function () {
  let node: RunningNode;
  let svc: ServiceProcess | undefined;
  let tmp: { dir: string; remove(): void };
  let d: Deployment;
  const files: string[] = [];

  before(async function () {
    node = await startHardhatNode();
    d = await deployOn(node.url);
    tmp = tempDir("repayproof-verifier-e2e-");
    svc = await spawnService(serviceEnv(node.url, d, tmp.dir, { BATCH_INTERVAL_MS: "200", BATCH_MAX: "50" }));
    const p = makeParties();
    const agreementId = randomId();
    const post = (url: string, body: unknown): Promise<Response> =>
      fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect((await post(`${svc.url}/v1/agreements`, await agreementBody(d, p, agreementId))).status).to.equal(201);
    const signed = [
      signReceipt(d, makeReceipt(agreementId, p.platform, KIND.DUE), p.platform),
      signReceipt(d, makeReceipt(agreementId, p.channel, KIND.SETTLED), p.channel),
      signReceipt(d, makeReceipt(agreementId, p.collector, KIND.FORWARDED), p.collector),
    ];
    const res = await post(`${svc.url}/v1/receipts`, { items: signed.map((s) => s.item) });
    expect(res.status).to.equal(202);
    const auth = bearer(d, p.funder);
    for (const s of signed) {
      const url = `${svc!.url}/v1/receipts/${s.digest}/proof`;
      let body = "";
      await waitFor(`proof of ${s.digest}`, async () => {
        const r = await fetch(url, { headers: { authorization: auth } });
        body = await r.text();
        return r.status === 200;
      });
      const file = path.join(tmp.dir, `${s.digest}.json`);
      fs.writeFileSync(file, body);
      files.push(file);
    }
    await svc.kill();
    svc = undefined;
  });

  after(async function () {
    await svc?.kill();
    await node?.stop();
    tmp?.remove();
  });

  it("behavior: the CLI exits 0 for every served bundle, against the trusted deployment", async function () {
    const r = await cli(
      "verify",
      ...files,
      "--rpc",
      node.url,
      "--anchor",
      d.anchor,
      "--registry",
      d.registry,
      "--json",
    );
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout) as { summary: { valid: number; anchorLookups: number } };
    expect(out.summary.valid).to.equal(files.length);
  });

  it("behavior: the library passes every check of a served bundle, ACK included", async function () {
    const provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    try {
      const r = await verifyReceiptBundle(JSON.parse(fs.readFileSync(files[0]!, "utf8")), { provider });
      expect(r.checks.map((c) => c.status)).to.deep.equal(new Array(9).fill("pass"));
    } finally {
      provider.destroy();
    }
  });
});
