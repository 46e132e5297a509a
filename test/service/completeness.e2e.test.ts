import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { KIND, readStateRootAt, verifyTimelineBundle, type CompletenessEntry } from "@repayproof/verifier";
import { checkComplete, type AnchoredEventRef } from "@repayproof/verifier/checks";
import { bearer, makeParties, makeReceipt, boundId, randomId, signReceipt, termsOf } from "../helpers/parties";
import { startSpawnFixture, type Json, type SpawnFixture } from "../helpers/spawnFixture";
import { waitFor } from "../helpers/waitFor";

/**
 * Completeness end to end (issue 13): the service seals a loan state root with every batch and anchors it;
 * `GET /v1/loans/:loanId/completeness` proves the loan's (count, head) under the state root the chain emitted,
 * and COMPLETE holds it against the timeline's anchored events: it passes on what the service serves and
 * fails, each fault with its own code, when one event is removed (every position), added or the entry tampered.
 */
describe("completeness end to end: a service timeline passes COMPLETE, and no event can be left out", function () {
  let f: SpawnFixture;
  let provider: JsonRpcProvider;
  const p = makeParties();
  const agreementId = boundId(p);
  const loanId = randomId();
  const otherLoan = randomId();
  let entry: CompletenessEntry;
  let events: AnchoredEventRef[];
  let otherEvents: AnchoredEventRef[];
  const base = Math.floor(Date.now() / 1000) - 2000;

  before(async function () {
    f = await startSpawnFixture({ env: { BATCH_INTERVAL_MS: "300", BATCH_MAX: "4" } });
    provider = new JsonRpcProvider(f.rpcUrl);
    await f.register(p, agreementId, 1, termsOf(p));
    const auth = bearer(f.d, p.funder);
    // Two rounds, so the loan's receipts span batches; the other loan shares the batches.
    const who = [p.platform, p.channel, p.channel, p.collector, p.funder];
    const kinds = [KIND.DUE, KIND.INITIATED, KIND.SETTLED, KIND.FORWARDED, KIND.CONFIRMED];
    for (const [round, loans] of [[loanId, otherLoan], [loanId]].entries()) {
      const items = loans.flatMap((loan) =>
        kinds.map(
          (kind, i) =>
            signReceipt(
              f.d,
              makeReceipt(agreementId, who[i]!, kind, {
                loanId: loan,
                installment: round + 1,
                occurredAt: base + 10 * i,
              }),
              who[i]!,
            ).item,
        ),
      );
      expect((await f.post("/v1/receipts", { items }, undefined)).status).to.equal(202);
    }
    const anchoredRefs = async (loan: string): Promise<AnchoredEventRef[]> => {
      let refs: AnchoredEventRef[] = [];
      await waitFor("every event anchored", async () => {
        const r = await f.get(`/v1/loans/${loan}/timeline`, auth);
        if (r.status !== 200 || !r.body.events.every((e: Json) => e.format === "repayproof/receipt-proof@1"))
          return false;
        refs = r.body.events.map((e: Json, index: number) => ({
          index,
          digest: e.digest,
          stream: e.batch.stream,
          seq: e.batch.seq,
        }));
        return true;
      });
      return refs;
    };
    events = await anchoredRefs(loanId);
    otherEvents = await anchoredRefs(otherLoan);
    await waitFor("the latest sealed batch anchored", async () => {
      const r = await f.get(`/v1/loans/${loanId}/completeness`, auth);
      if (r.status !== 200 || r.body.completeness.length !== 1) return false;
      entry = r.body.completeness[0];
      return (await readStateRootAt(provider, f.d.anchor, entry.stream, entry.seq)) !== undefined;
    });
  });

  after(async function () {
    provider?.destroy();
    await f?.close();
  });

  const check = (e: CompletenessEntry, evs: AnchoredEventRef[]) =>
    checkComplete({
      agreementId,
      loanId,
      entries: [e],
      events: evs,
      stateRootAt: async (stream, seq) => (await readStateRootAt(provider, f.d.anchor, stream, seq))?.stateRoot,
    });

  it("behavior: the served entry covers all ten receipts across batches, and COMPLETE passes", async function () {
    expect(entry.count).to.equal(10);
    expect(new Set(events.map((e) => e.seq)).size).to.be.greaterThan(1);
    expect([...entry.digests].sort()).to.deep.equal(events.map((e) => e.digest).sort());
    expect((await check(entry, events)).status).to.equal("pass");
  });

  it("error: COMPLETE_MISSING when any one event is removed (every position)", async function () {
    for (let i = 0; i < events.length; i++) {
      const r = await check(
        entry,
        events.filter((_, j) => j !== i),
      );
      expect(r.code, `without event ${i}`).to.equal("COMPLETE_MISSING");
    }
  });

  it("error: COMPLETE_EXTRA when another loan's anchored event is added", async function () {
    expect((await check(entry, [...events, { ...otherEvents[0]!, index: events.length }])).code).to.equal(
      "COMPLETE_EXTRA",
    );
  });

  it("error: COMPLETE_BAD_PROOF for a tampered proof, count or digest list", async function () {
    const proof = [...entry.proof];
    proof[0] = otherEvents[0]!.digest;
    expect((await check({ ...entry, proof }, events)).code).to.equal("COMPLETE_BAD_PROOF");
    expect((await check({ ...entry, count: entry.count - 1 }, events)).code).to.equal("COMPLETE_BAD_PROOF");
    const swapped = [entry.digests[1]!, entry.digests[0]!, ...entry.digests.slice(2)];
    expect((await check({ ...entry, digests: swapped }, events)).code).to.equal("COMPLETE_BAD_PROOF");
  });

  it("error: COMPLETE_STATE_ROOT for an entry of another seq; COMPLETE_NO_ENTRY when the events' stream has none", async function () {
    expect((await check({ ...entry, seq: entry.seq - 1 }, events)).code).to.equal("COMPLETE_STATE_ROOT");
    expect(
      (
        await check(
          { ...entry, stream: randomId() },
          events.map((e) => ({ ...e, stream: "x" })),
        )
      ).code,
    ).to.equal("COMPLETE_NO_ENTRY");
  });

  it("behavior: the served timeline carries the entry, and verify-timeline's COMPLETE passes; without any one event it fails", async function () {
    const t = (await f.get(`/v1/loans/${loanId}/timeline`, bearer(f.d, p.funder))).body;
    expect(t.completeness).to.deep.equal([entry]);
    const complete = async (timeline: Json) =>
      (await verifyTimelineBundle(timeline, { provider })).checks.find((c) => c.check === "COMPLETE");
    const r = await verifyTimelineBundle(t, { provider });
    expect(r.checks.find((c) => c.check === "COMPLETE")?.status).to.equal("pass");
    expect(r.valid).to.equal(true);
    for (let i = 0; i < t.events.length; i++) {
      const without = { ...t, events: t.events.filter((_: Json, j: number) => j !== i) };
      expect((await complete(without))?.code, `without event ${i}`).to.equal("COMPLETE_MISSING");
    }
  });

  it("behavior: the route is scoped like the timeline (401 without a token)", async function () {
    expect((await f.get(`/v1/loans/${loanId}/completeness`)).status).to.equal(401);
  });
});
