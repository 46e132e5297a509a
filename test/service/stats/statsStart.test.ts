import { expect } from "chai";
import request from "supertest";
import { KIND } from "@repayproof/verifier";
import { STATS_FORMAT, STATS_FORMAT_VERSION, STATS_WATERMARK } from "../../../service/stats/StatsIndexer";
import { startRouteFixture, type RouteFixture } from "../../helpers/routeFixture";
import { bearer, boundId, makeParties, makeReceipt, randomId, signReceipt } from "../../helpers/parties";
import { waitFor } from "../../helpers/waitFor";

describe("The stats index at start: STATS_INDEX=0, catching up, an older format", function () {
  this.timeout(120_000);
  let f: RouteFixture;
  const p = makeParties();
  const agreementId = boundId(p);

  before(async function () {
    f = await startRouteFixture({ batchIntervalMs: 3_600_000, statsIndex: false });
    await f.register(p, agreementId);
    const receipt = makeReceipt(agreementId, p.platform, KIND.DUE, { loanId: randomId() });
    const res = await f.post(signReceipt(f.d, receipt, p.platform).item);
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    await f.svc.pipeline.batcher.seal();
    const store = f.svc.deps.store;
    await waitFor("the batch anchored", async () => (await store.latestAnchoredAt()) !== undefined);
  });

  after(async function () {
    await f?.close();
  });

  const stats = (path: string) =>
    request(f.app).get(`${path}?agreementId=${agreementId}`).set("authorization", bearer(f.d, p.funder));

  it("error: STATS_DISABLED (501) from /v1/stats and /v1/stats/loans, and no index is kept", async function () {
    for (const path of ["/v1/stats", "/v1/stats/loans"]) {
      const res = await stats(path);
      expect(res.status, path).to.equal(501);
      expect(res.body.error.code).to.equal("STATS_DISABLED");
    }
    await f.svc.stats.idle();
    expect(await f.svc.deps.store.getMeta<number>(STATS_WATERMARK)).to.equal(undefined);
  });

  it("behavior: turned on again, the index takes in the batches anchored while it was off", async function () {
    await f.restart({ statsIndex: true });
    await f.svc.stats.idle();
    const last = await f.svc.deps.store.lastBatch();
    expect(await f.svc.deps.store.getMeta<number>(STATS_WATERMARK)).to.equal(last?.seq);
    const res = await stats("/v1/stats");
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.asOf).to.equal(last?.anchoredAt);
  });

  it("behavior: an index of an older format (v0.2's) is rebuilt at start, to the same figures", async function () {
    const before = (await stats("/v1/stats")).body;
    await f.svc.deps.store.write([
      { type: "meta", name: STATS_FORMAT, value: 1 },
      { type: "meta", name: STATS_WATERMARK, value: 99 },
    ]);
    await f.restart({ statsIndex: true });
    await f.svc.stats.idle();
    const store = f.svc.deps.store;
    expect(await store.getMeta<number>(STATS_FORMAT)).to.equal(STATS_FORMAT_VERSION);
    expect(await store.getMeta<number>(STATS_WATERMARK)).to.equal((await store.lastBatch())?.seq);
    expect((await stats("/v1/stats")).body).to.deep.equal(before);
  });
});
