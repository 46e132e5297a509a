import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import request from "supertest";
import { KIND, parseBundle, parseTimelineBundle, verifyTimelineBundle } from "@repayproof/verifier";
import { createApp } from "../../../service/app";
import type { RunningService } from "../../../service/server";
import type { Deployment } from "../../../scripts/lib/deployContracts";
import { waitFor } from "../../helpers/waitFor";
import { startRouteFixture, type RouteFixture } from "../../helpers/routeFixture";
import { bearer, makeParties, makeReceipt, boundId, randomId, signReceipt } from "../../helpers/parties";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
type Json = any;

describe("GET /v1/loans/:loanId/timeline", function () {
  let d: Deployment;
  let svc: RunningService;
  let f: RouteFixture;
  const p = makeParties();
  const q = makeParties();
  let app: ReturnType<typeof createApp>;
  const agreementP = boundId(p);
  const agreementQ = boundId(q);
  const loanId = randomId();
  const shared = randomId(); // a loan id under both agreements
  const now = Math.floor(Date.now() / 1000);

  const post = (body: unknown) => f.post(body);
  const timeline = (id: string, auth?: string, query = "") => {
    const req = request(app).get(`/v1/loans/${id}/timeline${query}`);
    return auth ? req.set("authorization", auth) : req;
  };
  const completeness = (id: string, auth?: string) => {
    const req = request(app).get(`/v1/loans/${id}/completeness`);
    return auth ? req.set("authorization", auth) : req;
  };

  before(async function () {
    // A long interval: receipts stay pending until a test seals.
    f = await startRouteFixture({ batchIntervalMs: 3_600_000, regulators: [p.regulator.address.toLowerCase()] });
    ({ d, svc, app } = f);
    await f.register(p, agreementP);
    await f.register(q, agreementQ);
    const items = [
      signReceipt(d, makeReceipt(agreementP, p.platform, KIND.DUE, { loanId, occurredAt: now - 600 }), p.platform),
      signReceipt(d, makeReceipt(agreementP, p.channel, KIND.SETTLED, { loanId, occurredAt: now - 300 }), p.channel),
      signReceipt(d, makeReceipt(agreementP, p.platform, KIND.DUE, { loanId: shared }), p.platform),
      signReceipt(d, makeReceipt(agreementQ, q.platform, KIND.DUE, { loanId: shared }), q.platform),
    ].map((s) => s.item);
    const res = await post({ items });
    expect(res.status).to.equal(202);
    expect(res.body.results.every((r: Json) => r.digest)).to.equal(true);
  });

  after(async function () {
    await f?.close();
  });

  it("error: UNAUTHENTICATED without a token or with a forged one", async function () {
    const forged = bearer(d, p.outsider).replace(p.outsider.address, p.funder.address);
    for (const auth of [undefined, forged, bearer(d, p.funder, -10)]) {
      const res = await timeline(loanId, auth);
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal("UNAUTHENTICATED");
    }
  });

  it("error: FORBIDDEN for a party outside the loan's agreement", async function () {
    for (const who of [p.outsider, q.funder]) {
      const res = await timeline(loanId, bearer(d, who));
      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal("FORBIDDEN");
    }
  });

  it("error: NOT_FOUND for a loan with no receipts here", async function () {
    const res = await timeline(randomId(), bearer(d, p.funder));
    expect(res.status).to.equal(404);
    expect(res.body.error.code).to.equal("NOT_FOUND");
  });

  it("error: INVALID_BODY for a malformed loan id or agreementId", async function () {
    const bad = await timeline("0x1234", bearer(d, p.funder));
    expect(bad.status).to.equal(400);
    expect(bad.body.error.code).to.equal("INVALID_BODY");
    const badQuery = await timeline(loanId, bearer(d, p.funder), "?agreementId=0xzz");
    expect(badQuery.status).to.equal(400);
    expect(badQuery.body.error.code).to.equal("INVALID_BODY");
  });

  it("behavior: pending receipts are served marked pending, counted at their claimed time", async function () {
    const res = await timeline(loanId, bearer(d, p.funder));
    expect(res.status).to.equal(200);
    const t = res.body;
    expect(Object.keys(t)).to.deep.equal([
      "format",
      "chainId",
      "contracts",
      "stream",
      "loanId",
      "agreement",
      "events",
      "evaluation",
    ]);
    expect(t.format).to.equal("repayproof/timeline@1");
    expect(t.agreement.id).to.equal(agreementP);
    expect(t.agreement.versions.map((v: Json) => v.version)).to.deep.equal([1]);
    expect(t.events).to.have.length(2);
    for (const e of t.events) {
      expect(Object.keys(e)).to.deep.equal(["status", "digest", "receipt", "signature", "ack"]);
      expect(e.status).to.equal("pending");
    }
    expect(t.events.map((e: Json) => e.receipt.kind)).to.deep.equal([KIND.DUE, KIND.SETTLED]);
    const [inst] = t.evaluation.installments;
    expect(inst.stages[2]).to.include({ stage: "SETTLED", at: now - 300, anchoredAt: null, pending: true });
    expect(() => parseTimelineBundle(t)).to.not.throw();
    // A verifier checks pending events by digest, signature and Ack, and reproduces the evaluation.
    const provider = new JsonRpcProvider(f.node.url, undefined, { staticNetwork: true });
    try {
      const r = await verifyTimelineBundle(t, { provider });
      expect(r.valid, JSON.stringify(r)).to.equal(true);
      expect(r.events.map((e) => [e.pending, e.checks.map((c) => c.check)])).to.deep.equal([
        [true, ["DIGEST", "SIGNATURE", "ACK"]],
        [true, ["DIGEST", "SIGNATURE", "ACK"]],
      ]);
    } finally {
      provider.destroy();
    }
  });

  it("behavior: GET /v1/loans/:loanId/completeness is empty while the loan's receipts are pending; 401, 400, 404 as the timeline", async function () {
    const res = await completeness(loanId, bearer(d, p.funder));
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ loanId: loanId.toLowerCase(), agreementId: agreementP, completeness: [] });
    expect((await completeness(loanId)).body.error.code).to.equal("UNAUTHENTICATED");
    const bad = await completeness("0x1234", bearer(d, p.funder));
    expect([bad.status, bad.body.error.code]).to.deep.equal([400, "INVALID_BODY"]);
    const none = await completeness(randomId(), bearer(d, p.funder));
    expect([none.status, none.body.error.code]).to.deep.equal([404, "NOT_FOUND"]);
    const outsider = await completeness(loanId, bearer(d, q.funder));
    expect([outsider.status, outsider.body.error.code]).to.deep.equal([403, "FORBIDDEN"]);
  });

  it("behavior: once anchored, events are receipt-proof bundles and asOf is the anchor's block time", async function () {
    await svc.pipeline.batcher.seal();
    let t: Json;
    await waitFor("the loan's receipts anchored", async () => {
      t = (await timeline(loanId, bearer(d, p.collector))).body;
      return t.events.every((e: Json) => e.format === "repayproof/receipt-proof@1");
    });
    for (const e of t.events) {
      expect(() => parseBundle(e)).to.not.throw();
      // Exactly the bundle the proof endpoint serves for that receipt.
      const proof = await request(app).get(`/v1/receipts/${e.digest}/proof`).set("authorization", bearer(d, p.funder));
      expect(e).to.deep.equal(proof.body);
    }
    const anchoredAt = t.evaluation.installments[0].stages[2].anchoredAt;
    expect(anchoredAt).to.be.a("number");
    expect(t.evaluation.asOf).to.be.at.least(anchoredAt);
    expect(t.evaluation.pendingIncluded).to.equal(true);
    // The timeline carries the loan's completeness entry, the same one the completeness route serves.
    expect(t.completeness).to.have.length(1);
    expect(t.completeness[0].count).to.equal(2);
    const c = await completeness(loanId, bearer(d, p.funder));
    expect(c.body.completeness).to.deep.equal(t.completeness);
    const provider = new JsonRpcProvider(f.node.url, undefined, { staticNetwork: true });
    try {
      const r = await verifyTimelineBundle(t, { provider });
      expect(r.valid, JSON.stringify(r.checks)).to.equal(true);
    } finally {
      provider.destroy();
    }
  });

  it("behavior: a loan id under two agreements is split: each party sees its own agreement's receipts", async function () {
    const mine = await timeline(shared, bearer(d, p.funder));
    expect(mine.status).to.equal(200);
    expect(mine.body.agreement.id).to.equal(agreementP);
    expect(mine.body.events.every((e: Json) => e.receipt.agreementId === agreementP)).to.equal(true);
    const theirs = await timeline(shared, bearer(d, q.funder));
    expect(theirs.status).to.equal(200);
    expect(theirs.body.agreement.id).to.equal(agreementQ);
  });

  it("error: INVALID_BODY for a regulator reading a split loan id without ?agreementId, 200 with it", async function () {
    const res = await timeline(shared, bearer(d, p.regulator));
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal("INVALID_BODY");
    expect([...res.body.error.details.agreementIds].sort()).to.deep.equal([agreementP, agreementQ].sort());
    const picked = await timeline(shared, bearer(d, p.regulator), `?agreementId=${agreementQ}`);
    expect(picked.status).to.equal(200);
    expect(picked.body.agreement.id).to.equal(agreementQ);
  });

  it("error: NOT_FOUND for ?agreementId naming an agreement without receipts of the loan", async function () {
    const res = await timeline(loanId, bearer(d, p.regulator), `?agreementId=${agreementQ}`);
    expect(res.status).to.equal(404);
    expect(res.body.error.code).to.equal("NOT_FOUND");
  });

  it("error: FORBIDDEN for ?agreementId naming another party's agreement", async function () {
    const res = await timeline(shared, bearer(d, p.funder), `?agreementId=${agreementQ}`);
    expect(res.status).to.equal(403);
    expect(res.body.error.code).to.equal("FORBIDDEN");
  });
});
