import { expect } from "chai";
import request from "supertest";
import { KIND } from "@repayproof/verifier";
import { createApp } from "../../../service/app";
import type { Deployment } from "../../../scripts/lib/deployContracts";
import { startRouteFixture, type RouteFixture } from "../../helpers/routeFixture";
import {
  bearer,
  loanIdOf,
  makeParties,
  makeReceipt,
  boundId,
  randomId,
  signReceipt,
  termsOf,
} from "../../helpers/parties";

interface Alert {
  type: string;
  agreementId: string;
  loanId?: string;
  stage?: string;
  responsible?: string;
  digest?: string;
  status?: string;
}

describe("GET /v1/alerts", function () {
  let d: Deployment;
  let f: RouteFixture;
  const p = makeParties();
  const other = makeParties();
  const agreementId = boundId(p);
  const otherId = boundId(other);
  let app: ReturnType<typeof createApp>;
  const loan = loanIdOf("alerts-loan");
  let pendingDigest = "";
  const get = (q: string, auth?: string) => {
    const req = request(app).get(`/v1/alerts${q}`);
    return auth ? req.set("authorization", auth) : req;
  };
  const post = (it: { item: unknown }) => f.post(it.item);

  before(async function () {
    // Nothing is sealed (long interval) and the Ack promises anchoring within 1 s: every receipt goes overdue.
    f = await startRouteFixture({
      batchIntervalMs: 3_600_000,
      maxAnchorDelayS: 1,
      regulators: [p.regulator.address.toLowerCase()],
    });
    ({ d, app } = f);
    const short = { ...termsOf(p), graceSecs: 10, settleSecs: 10, forwardSecs: 10, confirmSecs: 10 };
    await f.register(p, agreementId, 1, short);
    await f.register(other, otherId);
    const now = Math.floor(Date.now() / 1000);
    // Installment 1: due 100 s ago, never paid → the borrower's open breach.
    const due = signReceipt(
      d,
      makeReceipt(agreementId, p.platform, KIND.DUE, { loanId: loan, occurredAt: now - 100 }),
      p.platform,
    );
    // Installment 2: settled 100 s ago, never forwarded → the collector's open breach and an overdue float.
    const settled = signReceipt(
      d,
      makeReceipt(agreementId, p.channel, KIND.SETTLED, { loanId: loan, installment: 2, occurredAt: now - 100 }),
      p.channel,
    );
    for (const it of [due, settled]) expect((await post(it)).status).to.equal(202);
    pendingDigest = due.digest;
    // The other agreement's receipt: overdue too, but only its parties (and regulators) see it.
    expect(
      (await post(signReceipt(d, makeReceipt(otherId, other.platform, KIND.DUE), other.platform))).status,
    ).to.equal(202);
    await new Promise((r) => setTimeout(r, 2_100)); // past every anchorBy
  });

  after(async function () {
    await f?.close();
  });

  it("behavior: open breaches, overdue float and receipts past anchorBy of the reader's agreements", async function () {
    const res = await get("", bearer(d, p.funder));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.agreements).to.equal(1);
    const alerts = res.body.alerts as Alert[];
    expect(alerts.every((a) => a.agreementId === agreementId)).to.equal(true);
    const breaches = alerts.filter((a) => a.type === "BREACH_OPEN");
    expect(breaches.map((b) => [b.stage, b.responsible?.toLowerCase()])).to.have.deep.members([
      ["INITIATED", "borrower"],
      ["FORWARDED", p.collector.address.toLowerCase()],
    ]);
    const float = alerts.filter((a) => a.type === "FLOAT_OVERDUE");
    expect(float).to.have.length(1);
    expect(float[0]).to.include({ currency: 156, amount: "125000", forwardSecs: 10 });
    const overdue = alerts.filter((a) => a.type === "ANCHOR_OVERDUE");
    expect(overdue).to.have.length(2);
    expect(overdue.map((a) => a.digest)).to.include(pendingDigest);
    expect(overdue.every((a) => a.status === "pending")).to.equal(true);
    expect(res.body.counts).to.deep.equal({ BREACH_OPEN: 2, FLOAT_OVERDUE: 1, ANCHOR_OVERDUE: 2 });
  });
  it("behavior: a party of another agreement sees only that one", async function () {
    const res = await get("", bearer(d, other.funder));
    expect(res.status).to.equal(200);
    expect(res.body.agreements).to.equal(1);
    expect((res.body.alerts as Alert[]).every((a) => a.agreementId === otherId)).to.equal(true);
    expect(res.body.counts.ANCHOR_OVERDUE).to.equal(1);
  });
  it("behavior: a party of no agreement sees nothing", async function () {
    const res = await get("", bearer(d, p.outsider));
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ agreements: 0 });
    expect(res.body.alerts).to.deep.equal([]);
  });
  it("behavior: a regulator sees every agreement; agreementId narrows it", async function () {
    const all = await get("", bearer(d, p.regulator));
    expect(all.status).to.equal(200);
    expect(all.body.agreements).to.be.at.least(2);
    expect(all.body.counts.ANCHOR_OVERDUE).to.equal(3);
    const one = await get(`?agreementId=${otherId}`, bearer(d, p.regulator));
    expect(one.body.agreements).to.equal(1);
    expect(one.body.counts).to.deep.equal({ BREACH_OPEN: 0, FLOAT_OVERDUE: 0, ANCHOR_OVERDUE: 1 });
  });
  it("error: UNAUTHENTICATED without a bearer token", async function () {
    const res = await get("");
    expect(res.status).to.equal(401);
    expect(res.body.error.code).to.equal("UNAUTHENTICATED");
  });
  it("error: FORBIDDEN for an agreement the reader does not belong to", async function () {
    const res = await get(`?agreementId=${otherId}`, bearer(d, p.funder));
    expect(res.status).to.equal(403);
    expect(res.body.error.code).to.equal("FORBIDDEN");
  });
  it("error: NOT_FOUND for an agreement the registry does not know", async function () {
    const res = await get(`?agreementId=${randomId()}`, bearer(d, p.funder));
    expect(res.status).to.equal(404);
    expect(res.body.error.code).to.equal("NOT_FOUND");
  });
  for (const [what, q, field] of [
    ["a malformed agreementId", "?agreementId=nope", "agreementId"],
    ["an unknown parameter", "?since=1", "since"],
  ] as const) {
    it(`error: INVALID_BODY for ${what}`, async function () {
      const res = await get(q, bearer(d, p.funder));
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal("INVALID_BODY");
      expect(res.body.error.details.field).to.equal(field);
    });
  }
});
