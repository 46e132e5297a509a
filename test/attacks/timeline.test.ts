import { expect } from "chai";
import request from "supertest";
import { KIND } from "@repayproof/verifier";
import { BatchTrees } from "../../service/read/proofBundle";
import { TIMELINE_LIMITS } from "../../service/read/timeline";
import { startRouteFixture, type RouteFixture } from "../helpers/routeFixture";
import { bearer, loanIdOf, makeParties, makeReceipt, boundId, signReceipt } from "../helpers/parties";
import { waitFor } from "../helpers/waitFor";

/**
 * Finding 9: a loan's timeline refused (500) once the loan id held more receipts than the cap, counted across
 * agreements — so anyone with an agreement of their own could put receipts under a victim's loan id and break
 * the victim's timeline. And proofs rebuilt batch trees in the loan index's order, so a loan spread over more
 * batches than the cache holds rebuilt a tree per receipt.
 */
describe("attack: loan timelines", function () {
  let f: RouteFixture;
  const p = makeParties();
  const q = makeParties();
  const victim = boundId(p);
  const attacker = boundId(q);
  const cap = TIMELINE_LIMITS.maxReceipts;

  before(async function () {
    f = await startRouteFixture({ batchIntervalMs: 60_000 });
    await f.register(p, victim);
    await f.register(q, attacker);
  });
  after(async function () {
    TIMELINE_LIMITS.maxReceipts = cap;
    await f?.close();
  });
  const timeline = (loanId: string, who = p.funder): request.Test =>
    request(f.app).get(`/v1/loans/${loanId}/timeline`).set("authorization", bearer(f.d, who));

  it("behavior: receipts under another agreement with the victim's loan id do not count towards its cap", async function () {
    TIMELINE_LIMITS.maxReceipts = 10;
    const loanId = loanIdOf("flooded");
    const mine = [KIND.DUE, KIND.INITIATED].map(
      (k) =>
        signReceipt(
          f.d,
          makeReceipt(victim, k === KIND.DUE ? p.platform : p.channel, k, { loanId }),
          k === KIND.DUE ? p.platform : p.channel,
        ).item,
    );
    expect((await f.post({ items: mine })).status).to.equal(202);
    const flood = Array.from(
      { length: 30 },
      () => signReceipt(f.d, makeReceipt(attacker, q.platform, KIND.DUE, { loanId }), q.platform).item,
    );
    expect((await f.post({ items: flood })).status).to.equal(202);
    const res = await timeline(loanId);
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).to.equal(200);
    expect(res.body.agreement.id).to.equal(victim.toLowerCase());
    expect(res.body.events).to.have.length(2);
    TIMELINE_LIMITS.maxReceipts = cap;
  });

  it("behavior: a timeline over more batches than the tree cache rebuilds each batch's tree once", async function () {
    const loanId = loanIdOf("spread");
    const BATCHES = 20;
    for (let i = 0; i < BATCHES; i++) {
      const items = [1, 2].map(
        (n) =>
          signReceipt(f.d, makeReceipt(victim, p.platform, KIND.DUE, { loanId, installment: n + 2 * i }), p.platform)
            .item,
      );
      expect((await f.post({ items })).status).to.equal(202);
      await f.svc.pipeline.batcher.seal();
    }
    await waitFor(
      "every batch anchored",
      async () => ((await timeline(loanId)).body.events as { status?: string }[]).every((e) => e.status !== "pending"),
      60_000,
      200,
    );
    const reader = f.svc.deps.reader;
    const trees = new BatchTrees(reader.store);
    reader.trees = trees;
    const res = await timeline(loanId);
    expect(res.status).to.equal(200);
    expect(res.body.events).to.have.length(2 * BATCHES);
    expect(trees.rebuilds, "one rebuild per batch, not per receipt").to.equal(BATCHES);
  });

  it("behavior: concurrent requests for one batch's tree rebuild it once", async function () {
    const reader = f.svc.deps.reader;
    const trees = new BatchTrees(reader.store);
    const batch = await reader.store.lastBatch();
    expect(batch).to.not.equal(undefined);
    await Promise.all(Array.from({ length: 8 }, () => trees.of(batch as NonNullable<typeof batch>)));
    expect(trees.rebuilds).to.equal(1);
  });
});
