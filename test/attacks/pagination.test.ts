import { expect } from "chai";
import request from "supertest";
import { KIND } from "@repayproof/verifier";
import { startRouteFixture, type RouteFixture } from "../helpers/routeFixture";
import { bearer, loanIdOf, makeParties, makeReceipt, boundId, signReceipt, termsOf } from "../helpers/parties";
import { expectRefused } from "../helpers/refusal";

/**
 * Finding 4 (reads): `/v1/alerts` and `/v1/reconciliation` built their whole answer — every loan's receipts
 * of every agreement in memory at once — however large the store. They are paged now (`?cursor=&limit=`,
 * `nextCursor`) and read loan by loan.
 */
describe("attack: unbounded alert and reconciliation answers", function () {
  let f: RouteFixture;
  const p = makeParties();
  const agreementId = boundId(p);
  const LOANS = 30;
  const get = (path: string): request.Test => request(f.app).get(path).set("authorization", bearer(f.d, p.funder));

  before(async function () {
    f = await startRouteFixture();
    const short = { ...termsOf(p), graceSecs: 10, settleSecs: 10, forwardSecs: 10, confirmSecs: 10 };
    await f.register(p, agreementId, 1, short);
    const now = Math.floor(Date.now() / 1000);
    const items = Array.from(
      { length: LOANS },
      (_, i) =>
        signReceipt(
          f.d,
          makeReceipt(agreementId, p.platform, KIND.DUE, {
            loanId: loanIdOf(`page-${i}`),
            occurredAt: now - 3 * 86_400,
          }),
          p.platform,
        ).item,
    );
    expect((await f.post({ items })).status).to.equal(202);
  });
  after(async () => f?.close());

  it("behavior: alerts come in pages of whole loans, each loan once, until nextCursor is null", async function () {
    const loans: string[] = [];
    let cursor: string | null = "";
    let pages = 0;
    while (cursor !== null) {
      const res = await get(`/v1/alerts?agreementId=${agreementId}&limit=7${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      const breaches = (res.body.alerts as { type: string; loanId: string }[]).filter((a) => a.type === "BREACH_OPEN");
      expect(breaches.length).to.be.at.most(7);
      loans.push(...breaches.map((a) => a.loanId));
      cursor = res.body.nextCursor as string | null;
      pages++;
    }
    expect(pages).to.equal(Math.ceil(LOANS / 7));
    expect(new Set(loans).size).to.equal(LOANS);
    expect(loans.length).to.equal(LOANS);
  });

  it("error: INVALID_BODY for a limit out of range or a made-up cursor", async function () {
    expectRefused(await get("/v1/alerts?limit=0"), "INVALID_BODY");
    expectRefused(await get("/v1/alerts?limit=1001"), "INVALID_BODY");
    expectRefused(await get("/v1/alerts?cursor=' OR 1=1"), "INVALID_BODY");
    expectRefused(await get(`/v1/reconciliation?agreementId=${agreementId}&limit=abc`), "INVALID_BODY");
    expectRefused(await get(`/v1/reconciliation?agreementId=${agreementId}&cursor=1999-01-01`), "INVALID_BODY");
  });

  it("behavior: reconciliation days come in pages that add up to the whole period", async function () {
    const q = `/v1/reconciliation?agreementId=${agreementId}&from=2026-01-01&to=2026-01-10`;
    const whole = await get(q);
    expect(whole.status).to.equal(200);
    expect(whole.body.nextCursor).to.equal(null);
    const days: unknown[] = [];
    let cursor: string | null = "";
    let pages = 0;
    while (cursor !== null) {
      const res = await get(`${q}&limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.days.length).to.be.at.most(3);
      expect(res.body.float).to.deep.equal(whole.body.float);
      days.push(...res.body.days);
      cursor = res.body.nextCursor as string | null;
      pages++;
    }
    expect(pages).to.equal(4);
    expect(days).to.deep.equal(whole.body.days);
  });
});
