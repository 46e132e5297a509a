import { expect } from "chai";
import { KIND } from "@repayproof/verifier";
import { allBatches, auditAnchors } from "../helpers/audit";
import { bearer, makeParties, makeReceipt, boundId, signReceipt } from "../helpers/parties";
import { startSpawnFixture, type SpawnFixture } from "../helpers/spawnFixture";
import { waitFor } from "../helpers/waitFor";

interface Health {
  chain: string;
  backlog: number;
}

describe("RPC outage", function () {
  this.timeout(180_000);
  let f: SpawnFixture;
  const p = makeParties();

  before(async function () {
    // The service reaches the node through a proxy the test can cut.
    f = await startSpawnFixture({
      proxy: true,
      env: { BATCH_INTERVAL_MS: "200", BATCH_MAX: "20", REGULATORS: p.regulator.address },
    });
  });

  after(async function () {
    await f?.close();
  });

  const health = async (): Promise<Health> => (await f.get("/healthz")).body as Health;

  it("keeps accepting while the chain is unreachable and anchors everything once it is back", async function () {
    const { d } = f;
    const agreementId = boundId(p);
    await f.register(p, agreementId);

    await f.proxy.cut();
    const digests: string[] = [];
    for (let round = 0; round < 5; round++) {
      const items = Array.from({ length: 20 }, () =>
        signReceipt(d, makeReceipt(agreementId, p.channel, KIND.SETTLED), p.channel),
      );
      const res = await f.post("/v1/receipts", { items: items.map((i) => i.item) });
      expect(res.status).to.equal(202);
      for (const r of res.body.results as { digest: string; ack?: unknown }[]) {
        expect(r.ack).to.not.equal(undefined);
        digests.push(r.digest);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    await waitFor(
      "health to report the chain unreachable",
      async () => (await health()).chain === "unreachable",
      30_000,
    );
    expect((await health()).backlog).to.equal(100);
    const proof = await f.get(`/v1/receipts/${digests[0]}/proof`, bearer(d, p.regulator));
    expect(proof.status).to.equal(409);
    expect(proof.body.error.code).to.equal("NOT_ANCHORED_YET");

    await f.proxy.restore();
    await waitFor("the backlog to be anchored", async () => (await health()).backlog === 0, 60_000);
    const info = (await f.get("/v1/info")).body as { stream: string };
    const seen = await auditAnchors(f.node.url, d, info.stream, await allBatches(f.url, info.stream));
    for (const x of digests) expect(seen.get(x), x).to.equal(1);
    expect((await health()).chain).to.equal("ok");
  });
});
