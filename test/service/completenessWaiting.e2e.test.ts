import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { KIND, verifyTimelineBundle } from "@repayproof/verifier";
import { LevelStore } from "../../service/store/leveldb/LevelStore";
import { allBatches } from "../helpers/audit";
import { bearer, makeParties, makeReceipt, boundId, randomId, signReceipt, termsOf } from "../helpers/parties";
import { startSpawnFixture, type Json, type SpawnFixture } from "../helpers/spawnFixture";
import { waitFor } from "../helpers/waitFor";

/**
 * While later batches wait for the chain (a slow chain, a congested one, an RPC outage), the timeline still
 * proves completeness: its entry is for the last batch the chain shows, read from what the later batches
 * overwrote in the state tree, and the waiting receipts are pending events beyond it.
 */
describe("completeness while later batches wait for the chain", function () {
  this.timeout(120_000);
  let f: SpawnFixture;
  let provider: JsonRpcProvider;
  const p = makeParties();
  const agreementId = boundId(p);
  const loanId = randomId();
  const base = Math.floor(Date.now() / 1000) - 2000;

  before(async function () {
    f = await startSpawnFixture({ proxy: true, env: { BATCH_INTERVAL_MS: "200", BATCH_MAX: "100" } });
    // The verifier reads the chain directly: only the service's RPC goes through the proxy.
    provider = new JsonRpcProvider(f.node.url);
    await f.register(p, agreementId, 1, termsOf(p));
  });

  after(async function () {
    provider?.destroy();
    await f?.proxy.restore().catch(() => undefined);
    await f?.close();
  });

  const post = async (kind: number, who: ReturnType<typeof makeParties>["platform"], at: number): Promise<void> => {
    const item = signReceipt(f.d, makeReceipt(agreementId, who, kind, { loanId, occurredAt: base + at }), who).item;
    expect((await f.post("/v1/receipts", { items: [item] })).status).to.equal(202);
  };

  it("behavior: the entry names the last anchored batch, COMPLETE passes, and without an anchored event it fails", async function () {
    const auth = bearer(f.d, p.funder);
    const stream = ((await f.get("/v1/info")).body as { stream: string }).stream;
    await post(KIND.DUE, p.platform, 0);
    await post(KIND.INITIATED, p.channel, 10);
    let anchored = 0;
    await waitFor("the first receipts anchored", async () => {
      const batches = await allBatches(f.url, stream);
      anchored = batches.length;
      return batches.length > 0 && batches.every((b) => b.state === "final");
    });
    await f.proxy.cut();
    await post(KIND.SETTLED, p.channel, 20);
    await waitFor(
      "a batch sealed while the chain is away",
      async () => (await allBatches(f.url, stream)).length > anchored,
    );
    await post(KIND.FORWARDED, p.collector, 30);
    await waitFor("another one", async () => (await allBatches(f.url, stream)).length > anchored + 1);

    const t = (await f.get(`/v1/loans/${loanId}/timeline`, auth)).body;
    expect(t.events.map((e: Json) => e.status ?? "anchored")).to.deep.equal([
      "anchored",
      "anchored",
      "pending",
      "pending",
    ]);
    expect(t.completeness, "an entry although the last sealed batches are not anchored").to.have.length(1);
    expect(t.completeness[0].seq).to.equal(anchored - 1);
    expect(t.completeness[0].count).to.equal(2);
    const complete = async (timeline: Json) =>
      (await verifyTimelineBundle(timeline, { provider })).checks.find((c) => c.check === "COMPLETE");
    expect((await complete(t))?.status).to.equal("pass");
    const without = { ...t, events: t.events.filter((_: Json, i: number) => i !== 1) };
    expect((await complete(without))?.code).to.equal("COMPLETE_MISSING");

    await f.proxy.restore();
    await waitFor("everything anchored once the chain is back", async () => {
      const r = (await f.get(`/v1/loans/${loanId}/timeline`, auth)).body;
      return r.completeness?.[0]?.count === 4;
    });
    const after = (await f.get(`/v1/loans/${loanId}/timeline`, auth)).body;
    expect((await complete(after))?.status).to.equal("pass");

    // Every batch FINAL: what they overwrote in the tree is dropped (it would otherwise grow with every batch).
    await waitFor("every batch final", async () => (await allBatches(f.url, stream)).every((b) => b.state === "final"));
    const sealed = (await allBatches(f.url, stream)).length;
    expect((await f.stop()).code, "a clean stop").to.equal(0);
    const store = new LevelStore(f.dataDir);
    await store.open();
    try {
      // The root is written by every batch, so each batch kept what it held there until it was dropped.
      const kept = await store.stateUndo(Array.from({ length: sealed }, (_, seq) => ({ seq, path: "" })));
      expect(kept).to.deep.equal(Array.from({ length: sealed }, () => undefined));
    } finally {
      await store.close();
    }
  });
});
