import { expect } from "chai";
import {
  evaluateTimeline,
  isInvalidArgument,
  type Evaluation,
  type InstallmentEvaluation,
  type StageEvaluation,
  type StageName,
  type TimelineEvent,
} from "@repayproof/verifier";
import {
  CHANNEL_A,
  CHANNEL_B,
  COLLECTOR,
  FUNDER,
  GUARANTOR,
  STRANGER,
  V1,
  ev,
  onTime,
  version,
} from "./timelineHelpers";

// Hand-computed expectations. Allowances (timelineHelpers.terms): grace 1000, settle 100, forward 200,
// confirm 300, report 50. Every receipt is anchored 10 s after it occurred unless a test says otherwise.

const NOW = 20_000;

function evaluate(events: TimelineEvent[], now = NOW, versions = V1, includePending?: boolean): Evaluation {
  return evaluateTimeline({ events, versions, now, includePending });
}

function inst(e: Evaluation, n = 1): InstallmentEvaluation {
  const found = e.installments.find((i) => i.installment === n);
  if (!found) throw new Error(`no installment ${n}`);
  return found;
}

function stage(e: Evaluation, name: StageName, n = 1): StageEvaluation {
  const found = inst(e, n).stages.find((s) => s.stage === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
}

/** A full chain at the given five times (DUE, INITIATED, SETTLED, FORWARDED, CONFIRMED). */
function chain(times: readonly number[], settledBy = CHANNEL_A): TimelineEvent[] {
  const [due, initiated, settled, forwarded, confirmed] = times as [number, number, number, number, number];
  return [
    ev("DUE", { at: due }),
    ev("INITIATED", { at: initiated }),
    ev("SETTLED", { at: settled, attester: settledBy }),
    ev("FORWARDED", { at: forwarded }),
    ev("CONFIRMED", { at: confirmed }),
  ];
}

describe("evaluateTimeline", () => {
  describe("behavior: stages and deadlines", () => {
    it("judges an on-time installment: every deadline met, status paid", () => {
      const e = evaluate(onTime());
      const stages = inst(e).stages;
      expect(stages.map((s) => s.stage)).to.deep.equal(["DUE", "INITIATED", "SETTLED", "FORWARDED", "CONFIRMED"]);
      expect(stages.map((s) => s.at)).to.deep.equal([10_000, 10_500, 10_550, 10_700, 10_900]);
      expect(stages.map((s) => s.anchoredAt)).to.deep.equal([10_010, 10_510, 10_560, 10_710, 10_910]);
      expect(stages.map((s) => s.deadline)).to.deep.equal([null, 11_000, 10_600, 10_750, 11_000]);
      expect(stages.map((s) => s.responsible)).to.deep.equal([null, "borrower", CHANNEL_A, COLLECTOR, FUNDER]);
      expect(stages.map((s) => s.version)).to.deep.equal([null, 1, 1, 1, 1]);
      expect(stages.every((s) => !s.late && s.lateBySecs === 0 && !s.open && !s.backdated && !s.pending)).to.equal(
        true,
      );
      expect(inst(e).status).to.equal("paid");
      expect(inst(e)).to.include({ currency: 156, due: "1000", settled: "1000", reversed: "0", compensated: "0" });
      expect(inst(e).notes).to.deep.equal([]);
      expect(e).to.include({ asOf: NOW, pendingIncluded: true });
    });

    const lateCases: { name: StageName; times: number[]; deadline: number; lateBy: number; responsible: string }[] = [
      {
        name: "INITIATED",
        times: [10_000, 11_300, 11_350, 11_500, 11_700],
        deadline: 11_000,
        lateBy: 300,
        responsible: "borrower",
      },
      {
        name: "SETTLED",
        times: [10_000, 10_500, 10_650, 10_800, 11_000],
        deadline: 10_600,
        lateBy: 50,
        responsible: CHANNEL_B,
      },
      {
        name: "FORWARDED",
        times: [10_000, 10_500, 10_550, 10_900, 11_100],
        deadline: 10_750,
        lateBy: 150,
        responsible: COLLECTOR,
      },
      {
        name: "CONFIRMED",
        times: [10_000, 10_500, 10_550, 10_700, 11_001],
        deadline: 11_000,
        lateBy: 1,
        responsible: FUNDER,
      },
    ];
    for (const c of lateCases) {
      it(`finds ${c.name} late, by how much and whose it was, and only it`, () => {
        // SETTLED is signed by channel B (INITIATED by A): the SETTLED signer answers for the settle hop.
        const e = evaluate(chain(c.times, CHANNEL_B));
        expect(stage(e, c.name)).to.include({ deadline: c.deadline, late: true, lateBySecs: c.lateBy, open: false });
        expect(stage(e, c.name).responsible).to.equal(c.responsible);
        expect(
          inst(e)
            .stages.filter((s) => s.late)
            .map((s) => s.stage),
        ).to.deep.equal([c.name]);
        expect(inst(e).status).to.equal("paid");
      });
    }

    it("is on time exactly at the deadline and late one second after", () => {
      expect(stage(evaluate(chain([10_000, 11_000, 11_100, 11_300, 11_600])), "CONFIRMED")).to.include({ late: false });
      expect(stage(evaluate(chain([10_000, 11_000, 11_100, 11_300, 11_601])), "CONFIRMED")).to.include({
        late: true,
        lateBySecs: 1,
      });
    });

    it("gives DUE no deadline and no responsible party", () => {
      expect(stage(evaluate(onTime()), "DUE")).to.include({ deadline: null, responsible: null, late: false });
    });

    it("starts each allowance at the earlier stage's time, not its deadline (early stages give slack to no one)", () => {
      const e = evaluate(chain([10_000, 10_100, 10_150, 10_400, 10_600]));
      expect(stage(e, "SETTLED").deadline).to.equal(10_200);
      expect(stage(e, "FORWARDED")).to.include({ deadline: 10_350, late: true, lateBySecs: 50 });
      expect(stage(e, "CONFIRMED").deadline).to.equal(10_700);
    });
  });

  describe("behavior: missing stages and open breaches", () => {
    const missingCases: { name: StageName; events: () => TimelineEvent[]; deadline: number; responsible: string }[] = [
      { name: "INITIATED", events: () => [ev("DUE", { at: 10_000 })], deadline: 11_000, responsible: "borrower" },
      {
        name: "SETTLED",
        events: () => [ev("DUE", { at: 10_000 }), ev("INITIATED", { at: 10_500 })],
        deadline: 10_600,
        responsible: CHANNEL_A, // nobody signed SETTLED: the channel that signed INITIATED
      },
      { name: "FORWARDED", events: () => onTime().slice(0, 3), deadline: 10_750, responsible: COLLECTOR },
      { name: "CONFIRMED", events: () => onTime().slice(0, 4), deadline: 11_000, responsible: FUNDER },
    ];
    for (const c of missingCases) {
      it(`reports a missing ${c.name} past its deadline as an open breach of its party, late until now`, () => {
        const e = evaluate(c.events());
        expect(stage(e, c.name)).to.include({
          at: null,
          judgedAt: null,
          deadline: c.deadline,
          open: true,
          late: true,
          lateBySecs: NOW - c.deadline,
          responsible: c.responsible,
          closedAt: null,
        });
        expect(
          inst(e)
            .stages.filter((s) => s.open)
            .map((s) => s.stage),
        ).to.deep.equal([c.name]);
      });

      it(`does not report a missing ${c.name} before its deadline has passed`, () => {
        expect(stage(evaluate(c.events(), c.deadline), c.name)).to.include({ open: false, late: false, lateBySecs: 0 });
        expect(stage(evaluate(c.events(), c.deadline + 1), c.name)).to.include({ open: true, lateBySecs: 1 });
      });
    }

    it("gives a stage after a missing one no deadline, so nobody is judged on an unknown start", () => {
      const e = evaluate([ev("DUE", { at: 10_000 })]);
      for (const name of ["SETTLED", "FORWARDED", "CONFIRMED"] as const) {
        expect(stage(e, name)).to.include({
          deadline: null,
          late: false,
          open: false,
          responsible: null,
          version: null,
        });
      }
    });

    it("closes a missing stage at the next stage reached, late only up to then", () => {
      // No SETTLED receipt, but the collector forwarded at 10 800: the money had settled by then.
      const events = [...onTime().slice(0, 2), ev("FORWARDED", { at: 10_800 }), ev("CONFIRMED", { at: 10_900 })];
      const e = evaluate(events);
      expect(stage(e, "SETTLED")).to.include({
        at: null,
        deadline: 10_600,
        closedAt: 10_800,
        open: false,
        late: true,
        lateBySecs: 200,
        responsible: CHANNEL_A,
      });
      expect(stage(e, "FORWARDED")).to.include({ at: 10_800, deadline: null, late: false, responsible: null });
      expect(stage(e, "CONFIRMED")).to.include({ deadline: 11_100, late: false });
      expect(inst(e).status).to.equal("paid"); // the forward proves the money left the borrower
    });

    it("closes a missing stage on time when the next stage came before its deadline", () => {
      const events = [ev("DUE", { at: 10_000 }), ev("SETTLED", { at: 10_500 })];
      expect(stage(evaluate(events), "INITIATED")).to.include({ closedAt: 10_500, late: false, open: false });
    });
  });

  describe("behavior: backdating", () => {
    it("judges a receipt anchored more than reportSecs after its occurredAt at its anchor time", () => {
      const events = [
        ...onTime().slice(0, 2),
        ev("SETTLED", { at: 10_550, anchoredAt: 10_700 }),
        ev("FORWARDED", { at: 10_880 }),
      ];
      const e = evaluate(events);
      expect(stage(e, "SETTLED")).to.include({
        at: 10_550,
        anchoredAt: 10_700,
        judgedAt: 10_700,
        backdated: true,
        deadline: 10_600,
        late: true,
        lateBySecs: 100,
      });
      // The next allowance starts at the judged time: 10 700 + 200.
      expect(stage(e, "FORWARDED")).to.include({ deadline: 10_900, late: false });
    });

    it("does not call a receipt anchored exactly reportSecs after it occurred backdated", () => {
      const events = [...onTime().slice(0, 2), ev("SETTLED", { at: 10_550, anchoredAt: 10_600 })];
      expect(stage(evaluate(events), "SETTLED")).to.include({ backdated: false, judgedAt: 10_550, late: false });
    });

    it("takes reportSecs from the version in force at the receipt's occurredAt", () => {
      // v2 (from 10 560) allows 500 s to report; the SETTLED at 10 550 is still under v1's 50 s.
      const versions = [version(1, 0), version(2, 10_560, { reportSecs: 500 })];
      const events = [
        ...onTime().slice(0, 2),
        ev("SETTLED", { at: 10_550, anchoredAt: 10_700 }),
        ev("FORWARDED", { at: 10_880, anchoredAt: 11_300 }),
      ];
      const e = evaluate(events, NOW, versions);
      expect(stage(e, "SETTLED")).to.include({ backdated: true, judgedAt: 10_700 });
      expect(stage(e, "FORWARDED")).to.include({ backdated: false, judgedAt: 10_880, late: false });
    });

    it("judges a stage at its latest part when an earlier partial receipt is backdated", () => {
      const events = [
        ev("DUE", { at: 10_000 }),
        ev("INITIATED", { at: 10_500, amount: 500, anchoredAt: 12_000 }),
        ev("INITIATED", { at: 10_600, amount: 500 }),
      ];
      expect(stage(evaluate(events), "INITIATED")).to.include({
        at: 10_600,
        anchoredAt: 10_610,
        judgedAt: 12_000,
        backdated: true,
        late: true,
        lateBySecs: 1_000,
      });
    });
  });

  describe("behavior: agreement versions", () => {
    it("takes each allowance and party from the version in force at the earlier stage's time", () => {
      // v2 from 10 600: a new collector (STRANGER) with 1 000 s to forward.
      const versions = [version(1, 0), version(2, 10_600, { collector: STRANGER, forwardSecs: 1_000 })];
      const events = [
        ...onTime(1).slice(0, 3), // settled 10 550, under v1
        ev("FORWARDED", { at: 10_900, attester: STRANGER }),
        ev("DUE", { at: 10_000, installment: 2 }),
        ev("INITIATED", { at: 10_600, installment: 2 }),
        ev("SETTLED", { at: 10_650, installment: 2 }), // under v2
        ev("FORWARDED", { at: 10_900, installment: 2, attester: STRANGER }),
      ];
      const e = evaluate(events, NOW, versions);
      expect(stage(e, "FORWARDED", 1)).to.include({ deadline: 10_750, late: true, lateBySecs: 150, version: 1 });
      expect(stage(e, "FORWARDED", 1).responsible).to.equal(COLLECTOR);
      expect(stage(e, "FORWARDED", 2)).to.include({ deadline: 11_650, late: false, version: 2 });
      expect(stage(e, "FORWARDED", 2).responsible).to.equal(STRANGER);
    });

    it("judges events dated before version 1 took effect under version 1", () => {
      const versions = [version(1, 50_000, { graceSecs: 2_000 })];
      const e = evaluate([ev("DUE", { at: 10_000 }), ev("INITIATED", { at: 11_500 })], 60_000, versions);
      expect(stage(e, "INITIATED")).to.include({ deadline: 12_000, late: false, version: 1 });
    });

    it("does not depend on the order the versions are given in", () => {
      const versions = [version(1, 0), version(2, 10_600, { forwardSecs: 1_000 })];
      const events = onTime();
      expect(evaluate(events, NOW, [...versions].reverse())).to.deep.equal(evaluate(events, NOW, versions));
    });
  });

  describe("behavior: amounts", () => {
    it("sums partial payments: a stage's time is the receipt that reaches the amount due", () => {
      const events = [
        ev("DUE", { at: 10_000 }),
        ev("INITIATED", { at: 10_500, amount: 400 }),
        ev("SETTLED", { at: 10_550, amount: 400 }),
        ev("INITIATED", { at: 10_700, amount: 600 }),
        ev("SETTLED", { at: 10_800, amount: 600 }),
      ];
      const e = evaluate(events);
      expect(stage(e, "INITIATED")).to.include({ at: 10_700, amount: "1000", late: false });
      expect(stage(e, "SETTLED")).to.include({ at: 10_800, deadline: 10_800, late: false, amount: "1000" });
      expect(inst(e)).to.include({ status: "paid", settled: "1000" });
    });

    it("calls an installment short of the amount due partially paid, the borrower's hop still open", () => {
      const events = [
        ev("DUE", { at: 10_000 }),
        ev("INITIATED", { at: 10_500, amount: 400 }),
        ev("SETTLED", { at: 10_550, amount: 400 }),
      ];
      const e = evaluate(events);
      expect(inst(e)).to.include({ status: "partially paid", settled: "400", due: "1000" });
      expect(stage(e, "INITIATED")).to.include({ at: null, amount: "400", open: true, lateBySecs: NOW - 11_000 });
      expect(stage(e, "SETTLED")).to.include({ at: null, amount: "400", deadline: null });
    });

    it("counts an over-payment as paid at the receipt that reached the amount due, and notes the excess", () => {
      const events = [
        ev("DUE", { at: 10_000 }),
        ev("INITIATED", { at: 10_500 }),
        ev("SETTLED", { at: 10_550, amount: 600 }),
        ev("SETTLED", { at: 10_560, amount: 600 }),
      ];
      const e = evaluate(events);
      expect(stage(e, "SETTLED")).to.include({ at: 10_560, amount: "1200" });
      expect(inst(e).status).to.equal("paid");
      expect(inst(e).notes).to.deep.equal([{ code: "OVERPAID", amount: "200" }]);
    });

    it("sums several DUE receipts into the amount due; DUE is reached at the last of them", () => {
      const events = [ev("DUE", { at: 10_000, amount: 600 }), ev("DUE", { at: 10_100, amount: 400, attester: FUNDER })];
      const e = evaluate(events);
      expect(inst(e).due).to.equal("1000");
      expect(stage(e, "DUE").at).to.equal(10_100);
      expect(stage(e, "INITIATED").deadline).to.equal(11_100);
    });

    it("without a DUE, takes each stage at its first receipt and notes that the amount due is unknown", () => {
      const e = evaluate(onTime().slice(1));
      expect(stage(e, "DUE").at).to.equal(null);
      expect(stage(e, "INITIATED")).to.include({ at: 10_500, deadline: null, responsible: "borrower" });
      expect(stage(e, "SETTLED")).to.include({ at: 10_550, deadline: 10_600 });
      expect(inst(e)).to.include({ status: "paid", due: "0" });
      expect(inst(e).notes).to.deep.equal([{ code: "NO_DUE" }]);
    });

    it("excludes a receipt in another currency than the installment's, with a note", () => {
      const usd = ev("SETTLED", { at: 10_550, currency: 840 });
      const e = evaluate([...onTime().slice(0, 2), usd]);
      expect(inst(e).currency).to.equal(156);
      expect(stage(e, "SETTLED").at).to.equal(null);
      expect(inst(e).notes).to.deep.equal([{ code: "CURRENCY_MISMATCH", digest: usd.digest }]);
    });

    it("excludes a receipt whose attester may not sign its kind, with a note", () => {
      const forged = ev("SETTLED", { at: 10_550, attester: STRANGER });
      const wrongRole = ev("FORWARDED", { at: 10_700, attester: CHANNEL_A });
      const e = evaluate([...onTime().slice(0, 2), forged, wrongRole]);
      expect(stage(e, "SETTLED").at).to.equal(null);
      expect(stage(e, "FORWARDED").at).to.equal(null);
      expect(inst(e).notes).to.deep.equal([
        { code: "NOT_AUTHORIZED", digest: forged.digest },
        { code: "NOT_AUTHORIZED", digest: wrongRole.digest },
      ]);
    });
  });

  describe("behavior: voids", () => {
    it("excludes a voided receipt and its VOIDED, with a note naming both", () => {
      const wrong = ev("SETTLED", { at: 10_550 });
      const voided = ev("VOIDED", { at: 10_560, ref: wrong.digest, amount: 0 });
      const e = evaluate([...onTime().slice(0, 2), wrong, voided, ev("SETTLED", { at: 10_650 })]);
      expect(stage(e, "SETTLED")).to.include({ at: 10_650, late: true, lateBySecs: 50, amount: "1000" });
      expect(inst(e).notes).to.deep.equal([{ code: "VOIDED", digest: wrong.digest, by: voided.digest }]);
      expect(e.notes).to.deep.equal([]);
    });

    const ignoredVoids: { name: string; make: (target: TimelineEvent) => TimelineEvent }[] = [
      {
        name: "signed by another party than the voided receipt's attester",
        make: (t) => ev("VOIDED", { at: 10_560, ref: t.digest, attester: CHANNEL_B }),
      },
      { name: "naming no receipt of the loan", make: () => ev("VOIDED", { at: 10_560, ref: "0x" + "99".repeat(32) }) },
    ];
    for (const c of ignoredVoids) {
      it(`ignores a VOIDED ${c.name}, with a loan note`, () => {
        const target = ev("SETTLED", { at: 10_550 });
        const v = c.make(target);
        const e = evaluate([...onTime().slice(0, 2), target, v]);
        expect(stage(e, "SETTLED").at).to.equal(10_550);
        expect(e.notes).to.deep.equal([{ code: "VOID_IGNORED", digest: v.digest }]);
        expect(inst(e).notes).to.deep.equal([]);
      });
    }

    it("leaves out a VOIDED by someone outside the agreement, with a loan note", () => {
      const target = ev("SETTLED", { at: 10_550 });
      const v = ev("VOIDED", { at: 10_560, ref: target.digest, attester: STRANGER });
      const e = evaluate([...onTime().slice(0, 2), target, v]);
      expect(stage(e, "SETTLED").at).to.equal(10_550);
      expect(e.notes).to.deep.equal([{ code: "NOT_AUTHORIZED", digest: v.digest }]);
    });

    it("ignores a VOIDED of a VOIDED (a withdrawal cannot be withdrawn)", () => {
      const target = ev("SETTLED", { at: 10_550 });
      const v1 = ev("VOIDED", { at: 10_560, ref: target.digest });
      const v2 = ev("VOIDED", { at: 10_570, ref: v1.digest });
      const e = evaluate([...onTime().slice(0, 2), target, v1, v2]);
      expect(stage(e, "SETTLED").at).to.equal(null);
      expect(e.notes).to.deep.equal([{ code: "VOID_IGNORED", digest: v2.digest }]);
    });
  });

  describe("behavior: reversal and compensation", () => {
    it("calls a paid installment reversed when a REVERSED brings the net settled below the amount due", () => {
      for (const amount of [1_000, 300]) {
        const e = evaluate([...onTime(), ev("REVERSED", { at: 11_000, amount })]);
        expect(inst(e)).to.include({ status: "reversed", reversed: String(amount), settled: "1000" });
        expect(stage(e, "SETTLED").at).to.equal(10_550); // stage times do not move
      }
    });

    it("calls it paid again once the borrower pays the reversed amount again", () => {
      const e = evaluate([...onTime(), ev("REVERSED", { at: 11_000 }), ev("SETTLED", { at: 12_000 })]);
      expect(inst(e)).to.include({ status: "paid", settled: "2000", reversed: "1000" });
    });

    it("calls an installment the guarantor covered compensated, the borrower late only until it paid", () => {
      const e = evaluate([ev("DUE", { at: 10_000 }), ev("COMPENSATED", { at: 15_000, attester: GUARANTOR })]);
      expect(inst(e)).to.include({ status: "compensated", compensated: "1000" });
      expect(stage(e, "INITIATED")).to.include({ open: false, closedAt: 15_000, late: true, lateBySecs: 4_000 });
      expect(inst(e).stages.some((s) => s.open)).to.equal(false);
    });

    it("counts the borrower's part and the guarantor's together", () => {
      const events = [
        ev("DUE", { at: 10_000 }),
        ev("INITIATED", { at: 10_500, amount: 400 }),
        ev("SETTLED", { at: 10_550, amount: 400 }),
        ev("COMPENSATED", { at: 10_800, amount: 600 }),
      ];
      const e = evaluate(events);
      expect(inst(e).status).to.equal("compensated");
      expect(stage(e, "INITIATED")).to.include({ closedAt: 10_800, late: false, open: false });
    });

    it("leaves a partial compensation partially paid, the borrower's breach still open", () => {
      const e = evaluate([ev("DUE", { at: 10_000 }), ev("COMPENSATED", { at: 15_000, amount: 300 })]);
      expect(inst(e).status).to.equal("partially paid");
      expect(stage(e, "INITIATED")).to.include({ open: true, lateBySecs: NOW - 11_000 });
    });
  });

  describe("behavior: status before payment", () => {
    it("is due within the grace and overdue after it", () => {
      const events = [ev("DUE", { at: 10_000 }), ev("INITIATED", { at: 10_500 })];
      expect(inst(evaluate(events, 11_000)).status).to.equal("due");
      expect(inst(evaluate(events, 11_001)).status).to.equal("overdue");
    });
  });

  describe("behavior: pending receipts", () => {
    it("counts a pending receipt at its claimed time, flagged pending", () => {
      const e = evaluate([...onTime().slice(0, 2), ev("SETTLED", { at: 10_550, anchoredAt: null })]);
      expect(stage(e, "SETTLED")).to.include({
        at: 10_550,
        anchoredAt: null,
        pending: true,
        backdated: false,
        late: false,
      });
    });

    it("ignores pending receipts when asked to (the verifier's view from the chain)", () => {
      const e = evaluate([...onTime().slice(0, 2), ev("SETTLED", { at: 10_550, anchoredAt: null })], NOW, V1, false);
      expect(stage(e, "SETTLED")).to.include({ at: null, open: true });
      expect(e.pendingIncluded).to.equal(false);
    });

    it("does not apply a pending VOIDED when pending receipts are ignored", () => {
      const target = ev("SETTLED", { at: 10_550 });
      const v = ev("VOIDED", { at: 10_560, ref: target.digest, anchoredAt: null });
      const events = [...onTime().slice(0, 2), target, v];
      expect(stage(evaluate(events), "SETTLED").at).to.equal(null);
      expect(stage(evaluate(events, NOW, V1, false), "SETTLED").at).to.equal(10_550);
    });
  });

  describe("behavior: input", () => {
    it("lists installments in number order whatever the input order", () => {
      const e = evaluate([...onTime(3), ...onTime(1), ...onTime(2)]);
      expect(e.installments.map((i) => i.installment)).to.deep.equal([1, 2, 3]);
    });

    it("merges a receipt given twice, keeping its earliest anchor", () => {
      const settled = ev("SETTLED", { at: 10_550, anchoredAt: 10_700 });
      const events = [
        ...onTime().slice(0, 2),
        { ...settled, anchoredAt: null },
        settled,
        { ...settled, anchoredAt: 10_560 },
      ];
      expect(stage(evaluate(events), "SETTLED")).to.include({ anchoredAt: 10_560, backdated: false, pending: false });
    });

    it("returns plain JSON", () => {
      const e = evaluate([...onTime(), ev("REVERSED", { at: 11_000 })]);
      expect(JSON.parse(JSON.stringify(e))).to.deep.equal(e);
    });
  });

  describe("error: malformed input", () => {
    const cases: { name: string; run: () => unknown }[] = [
      { name: "no versions", run: () => evaluateTimeline({ events: onTime(), versions: [], now: NOW }) },
      {
        name: "a version without a valid effectiveAt",
        run: () => evaluateTimeline({ events: onTime(), versions: [version(1, -1)], now: NOW }),
      },
      { name: "a negative now", run: () => evaluateTimeline({ events: onTime(), versions: V1, now: -1 }) },
      { name: "a fractional now", run: () => evaluateTimeline({ events: onTime(), versions: V1, now: 1.5 }) },
      {
        name: "a malformed digest",
        run: () => evaluateTimeline({ events: [{ ...ev("DUE", { at: 1 }), digest: "0x12" }], versions: V1, now: NOW }),
      },
      {
        name: "a malformed anchor time",
        run: () => evaluateTimeline({ events: [{ ...ev("DUE", { at: 1 }), anchoredAt: -5 }], versions: V1, now: NOW }),
      },
      {
        name: "events of two loans",
        run: () =>
          evaluateTimeline({
            events: [ev("DUE", { at: 1 }), ev("DUE", { at: 1, loanId: "0x" + "c3".repeat(32) })],
            versions: V1,
            now: NOW,
          }),
      },
      {
        name: "one digest for two receipts",
        run: () => {
          const a = ev("DUE", { at: 1 });
          return evaluateTimeline({
            events: [a, { ...ev("DUE", { at: 2 }), digest: a.digest }],
            versions: V1,
            now: NOW,
          });
        },
      },
    ];
    for (const c of cases) {
      it(`refuses ${c.name} with INVALID_FIELD`, () => {
        let caught: unknown;
        try {
          c.run();
        } catch (e) {
          caught = e;
        }
        expect(isInvalidArgument(caught), String(caught)).to.equal(true);
        expect((caught as { code: string }).code).to.equal("INVALID_FIELD");
      });
    }
  });
});
