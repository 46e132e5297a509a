import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { KIND, verifyReceiptBundle } from "@repayproof/verifier";
import { bearer, makeParties, makeReceipt, boundId, signReceipt } from "../helpers/parties";
import { startSpawnFixture, type SpawnFixture } from "../helpers/spawnFixture";
import { waitFor } from "../helpers/waitFor";

/**
 * The "done when": proof bundles served by the real service (a child process) verify with the CLI
 * against the node after the service has stopped — the verifier needs only the bundle and the chain.
 */
describe("bundles from the service, verified with the service stopped", function () {
  let f: SpawnFixture;
  const files: string[] = [];

  before(async function () {
    f = await startSpawnFixture({ env: { BATCH_INTERVAL_MS: "200", BATCH_MAX: "50" } });
    const p = makeParties();
    const agreementId = boundId(p);
    await f.register(p, agreementId);
    const signed = [
      signReceipt(f.d, makeReceipt(agreementId, p.platform, KIND.DUE), p.platform),
      signReceipt(f.d, makeReceipt(agreementId, p.channel, KIND.SETTLED), p.channel),
      signReceipt(f.d, makeReceipt(agreementId, p.collector, KIND.FORWARDED), p.collector),
    ];
    expect((await f.post("/v1/receipts", { items: signed.map((s) => s.item) })).status).to.equal(202);
    const auth = bearer(f.d, p.funder);
    for (const s of signed) {
      let body: unknown;
      await waitFor(`proof of ${s.digest}`, async () => {
        const r = await f.get(`/v1/receipts/${s.digest}/proof`, auth);
        body = r.body;
        return r.status === 200;
      });
      const file = path.join(f.dir, `${s.digest}.json`);
      fs.writeFileSync(file, JSON.stringify(body));
      files.push(file);
    }
    await f.stop();
  });

  after(async function () {
    await f?.close();
  });

  it("behavior: the CLI exits 0 for every served bundle, against the trusted deployment", async function () {
    const r = await f.runNode([
      "verifier/bin/repayproof.js",
      "verify",
      ...files,
      "--rpc",
      f.node.url,
      "--anchor",
      f.d.anchor,
      "--registry",
      f.d.registry,
      "--json",
    ]);
    expect(r.code, r.output).to.equal(0);
    const out = JSON.parse(r.stdout) as { summary: { valid: number; anchorLookups: number } };
    expect(out.summary.valid).to.equal(files.length);
  });

  it("behavior: the library passes every check of a served bundle, ACK included", async function () {
    const provider = new JsonRpcProvider(f.node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    try {
      const r = await verifyReceiptBundle(JSON.parse(fs.readFileSync(files[0]!, "utf8")), { provider });
      expect(r.checks.map((c) => c.status)).to.deep.equal(new Array(9).fill("pass"));
    } finally {
      provider.destroy();
    }
  });
});
