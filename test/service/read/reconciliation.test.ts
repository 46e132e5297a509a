import { expect } from "chai";
import request from "supertest";
import { KIND, receiptToJson, type Receipt } from "@repayproof/verifier";
import { createApp } from "../../../service/app";
import { reconcile } from "../../../service/read/reconcile";
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
  type Parties,
} from "../../helpers/parties";

const DAY = 86_400;
const D1 = Date.parse("2026-03-01T00:00:00Z") / 1000;
const D2 = D1 + DAY;

describe("reconciliation", function () {
  describe("reconcile (pure)", function () {
    const r = (kind: number, amount: number, occurredAt: number, currency = 156): Receipt =>
      makeReceipt(randomId(), makeParties().platform, kind, { amount: BigInt(amount), occurredAt, currency });
    it("behavior: sums each stage per UTC day and currency, with the float at each day's end", function () {
      const out = reconcile(
        [
          r(KIND.DUE, 500, D1 + 10),
          r(KIND.SETTLED, 300, D1 + 20),
          r(KIND.SETTLED, 200, D1 + DAY - 1),
          r(KIND.FORWARDED, 300, D2),
          r(KIND.SETTLED, 7, D2 + 5, 840),
        ].map(receiptToJson),
        D1,
        D2,
        D2 + 100,
      );
      expect(out.days.map((d) => d.date)).to.deep.equal(["2026-03-01", "2026-03-02"]);
      expect(out.days[0]?.currencies["156"]).to.include({ due: "500", settled: "500", floatAtEndOfDay: "500" });
      expect(out.days[1]?.currencies["156"]).to.include({ forwarded: "300", floatAtEndOfDay: "200" });
      expect(out.days[1]?.currencies["840"]).to.include({ settled: "7" });
      expect(out.float).to.deep.equal([
        { currency: 156, amount: "200", oldestUnforwardedAt: D1 + DAY - 1, ageSecs: D2 + 100 - (D1 + DAY - 1) },
        { currency: 840, amount: "7", oldestUnforwardedAt: D2 + 5, ageSecs: 95 },
      ]);
    });
    it("behavior: forwards and reversals pay off the oldest settlements first (FIFO)", function () {
      const out = reconcile(
        [
          r(KIND.SETTLED, 100, D1),
          r(KIND.SETTLED, 100, D1 + 50),
          r(KIND.SETTLED, 100, D1 + 90),
          r(KIND.FORWARDED, 150, D1 + 95),
          r(KIND.REVERSED, 50, D1 + 96),
        ].map(receiptToJson),
        D1,
        D1,
        D1 + 100,
      );
      expect(out.float[0]).to.deep.equal({ currency: 156, amount: "100", oldestUnforwardedAt: D1 + 90, ageSecs: 10 });
    });
    it("behavior: receipts before the period move the float but are not listed", function () {
      const out = reconcile([receiptToJson(r(KIND.SETTLED, 40, D1 - 5))], D1, D1, D1);
      expect(out.days[0]?.currencies).to.deep.equal({});
      expect(out.float[0]?.amount).to.equal("40");
    });
  });

  describe("GET /v1/reconciliation", function () {
    let d: Deployment;
    let f: RouteFixture;
    const p = makeParties();
    const other = makeParties();
    const agreementId = boundId(p);
    const otherId = boundId(other);
    let app: ReturnType<typeof createApp>;
    const get = (q: string, auth?: string) => {
      const req = request(app).get(`/v1/reconciliation${q}`);
      return auth ? req.set("authorization", auth) : req;
    };

    before(async function () {
      f = await startRouteFixture({ batchIntervalMs: 3_600_000, regulators: [p.regulator.address.toLowerCase()] });
      ({ d, app } = f);
      await f.register(p, agreementId);
      await f.register(other, otherId);
      const loan = loanIdOf("recon-loan");
      const mk = (
        kind: number,
        signer: keyof Parties,
        amount: number,
        occurredAt: number,
        over: Partial<Receipt> = {},
      ) =>
        signReceipt(
          d,
          makeReceipt(agreementId, p[signer], kind, { loanId: loan, amount: BigInt(amount), occurredAt, ...over }),
          p[signer],
        );
      const settled = mk(KIND.SETTLED, "channel", 1000, D1 + 3600);
      const wrong = mk(KIND.SETTLED, "channel", 999, D1 + 3700, { installment: 2 });
      const items = [
        mk(KIND.DUE, "platform", 1000, D1 + 100),
        mk(KIND.INITIATED, "channel", 1000, D1 + 200),
        settled,
        wrong,
        mk(KIND.VOIDED, "channel", 0, D1 + 3800, { installment: 2, ref: wrong.digest }),
        mk(KIND.FORWARDED, "collector", 600, D2 + 10, { ref: settled.digest }),
        mk(KIND.CONFIRMED, "funder", 600, D2 + 20),
      ];
      // One loan of the other agreement: never counted here.
      items.push(
        signReceipt(d, makeReceipt(otherId, other.channel, KIND.SETTLED, { occurredAt: D1 + 5 }), other.channel),
      );
      for (const it of items) {
        const res = await f.post(it.item);
        expect(res.status, JSON.stringify(res.body)).to.equal(202);
      }
    });

    after(async function () {
      await f?.close();
    });

    it("behavior: a party of the agreement reads the day-by-day amounts and the collector's float", async function () {
      const res = await get(`?agreementId=${agreementId}&from=2026-03-01&to=2026-03-03`, bearer(d, p.funder));
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.include({
        agreementId,
        from: "2026-03-01",
        to: "2026-03-03",
        loans: 1,
        receipts: 7,
        pending: 7,
      });
      expect(res.body.collector.toLowerCase()).to.equal(p.collector.address.toLowerCase());
      expect(res.body.days.map((x: { date: string }) => x.date)).to.deep.equal([
        "2026-03-01",
        "2026-03-02",
        "2026-03-03",
      ]);
      expect(res.body.days[0].currencies["156"]).to.deep.equal({
        due: "1000",
        initiated: "1000",
        settled: "1000", // the voided 999 does not count
        forwarded: "0",
        confirmed: "0",
        reversed: "0",
        compensated: "0",
        floatAtEndOfDay: "1000",
      });
      expect(res.body.days[1].currencies["156"]).to.include({
        forwarded: "600",
        confirmed: "600",
        floatAtEndOfDay: "400",
      });
      expect(res.body.days[2].currencies).to.deep.equal({});
      expect(res.body.float).to.have.length(1);
      expect(res.body.float[0]).to.include({
        currency: 156,
        amount: "400",
        oldestUnforwardedAt: D1 + 3600,
        overdue: true,
      });
    });
    it("behavior: a regulator reads any agreement", async function () {
      const res = await get(`?agreementId=${otherId}&from=2026-03-01&to=2026-03-01`, bearer(d, p.regulator));
      expect(res.status).to.equal(200);
      expect(res.body.days[0].currencies["156"].settled).to.equal("125000");
    });
    it("behavior: from and to default to the last 7 UTC days", async function () {
      const res = await get(`?agreementId=${agreementId}`, bearer(d, p.platform));
      expect(res.status).to.equal(200);
      expect(res.body.days).to.have.length(7);
      expect(res.body.to).to.equal(new Date().toISOString().slice(0, 10));
    });
    it("error: UNAUTHENTICATED without a bearer token", async function () {
      const res = await get(`?agreementId=${agreementId}`);
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal("UNAUTHENTICATED");
    });
    it("error: FORBIDDEN for a party of another agreement", async function () {
      const res = await get(`?agreementId=${agreementId}`, bearer(d, other.funder));
      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal("FORBIDDEN");
    });
    it("error: NOT_FOUND for an agreement the registry does not know", async function () {
      const res = await get(`?agreementId=${randomId()}`, bearer(d, p.funder));
      expect(res.status).to.equal(404);
      expect(res.body.error.code).to.equal("NOT_FOUND");
    });
    for (const [what, q, field] of [
      ["agreementId missing", "?from=2026-03-01", "agreementId"],
      ["agreementId malformed", "?agreementId=0x12", "agreementId"],
      ["a date that does not exist", `?agreementId=${agreementId}&from=2026-02-30`, "from"],
      ["a date in another format", `?agreementId=${agreementId}&to=1772323200`, "to"],
      ["from after to", `?agreementId=${agreementId}&from=2026-03-02&to=2026-03-01`, "from"],
      ["more than 366 days", `?agreementId=${agreementId}&from=2024-01-01&to=2026-03-01`, "to"],
      ["an unknown parameter", `?agreementId=${agreementId}&day=2026-03-01`, "day"],
      ["a repeated parameter", `?agreementId=${agreementId}&from=2026-03-01&from=2026-03-02`, "from"],
    ] as const) {
      it(`error: INVALID_BODY for ${what}`, async function () {
        const res = await get(q, bearer(d, p.funder));
        expect(res.status).to.equal(400);
        expect(res.body.error.code).to.equal("INVALID_BODY");
        expect(res.body.error.details.field).to.equal(field);
      });
    }
  });
});
