import { expect } from "chai";
import fc from "fast-check";
import {
  diffEvaluations,
  evaluateTimeline,
  KIND_NAMES,
  type AgreementVersion,
  type Evaluation,
  type KindName,
  type TimelineEvent,
} from "@repayproof/verifier";
import { CHANNEL_A, CHANNEL_B, COLLECTOR, FUNDER, GUARANTOR, PLATFORM, STRANGER, ev, version } from "./timelineHelpers";

const RUNS = 300;
const PARTIES = [PLATFORM, FUNDER, COLLECTOR, GUARANTOR, CHANNEL_A, CHANNEL_B, STRANGER];
const USUAL: Record<KindName, string[]> = {
  DUE: [PLATFORM, FUNDER],
  INITIATED: [CHANNEL_A, CHANNEL_B],
  SETTLED: [CHANNEL_A, CHANNEL_B],
  FORWARDED: [COLLECTOR],
  CONFIRMED: [FUNDER],
  REVERSED: [CHANNEL_A, COLLECTOR],
  COMPENSATED: [GUARANTOR],
  VOIDED: [],
};

const secs = fc.integer({ min: 0, max: 2_000 });
const versionsArb: fc.Arbitrary<AgreementVersion[]> = fc
  .tuple(
    fc.array(fc.record({ graceSecs: secs, settleSecs: secs, forwardSecs: secs, confirmSecs: secs, reportSecs: secs }), {
      minLength: 1,
      maxLength: 3,
    }),
    fc.array(fc.integer({ min: 9_000, max: 15_000 }), { minLength: 3, maxLength: 3 }),
  )
  .map(([allowances, times]) => {
    const starts = [...times].sort((a, b) => a - b);
    return allowances.map((a, i) => version(i + 1, starts[i] as number, a));
  });

/** A receipt of kinds 1–7, mostly signed by a party allowed to, mostly in CNY, sometimes pending or late-anchored. */
const eventArb: fc.Arbitrary<TimelineEvent> = fc
  .record({
    kind: fc.constantFrom(...KIND_NAMES.filter((k) => k !== "VOIDED")),
    installment: fc.integer({ min: 1, max: 3 }),
    amount: fc.oneof(fc.constant(1_000), fc.integer({ min: 0, max: 1_500 })),
    at: fc.integer({ min: 10_000, max: 14_000 }),
    anchorDelay: fc.option(fc.integer({ min: 0, max: 3_000 }), { freq: 4 }),
    signer: fc.nat(),
    stranger: fc.integer({ min: 0, max: 9 }),
    currency: fc.constantFrom(156, 156, 156, 156, 840),
  })
  .map((s) => {
    const usual = USUAL[s.kind];
    const attester = s.stranger === 0 ? (PARTIES[s.signer % PARTIES.length] as string) : usual[s.signer % usual.length];
    return ev(s.kind, {
      at: s.at,
      installment: s.installment,
      amount: s.amount,
      attester,
      currency: s.currency,
      anchoredAt: s.anchorDelay === null ? null : s.at + s.anchorDelay,
    });
  });

const timelineArb = fc.record({
  events: fc.array(eventArb, { maxLength: 14 }),
  versions: versionsArb,
  now: fc.integer({ min: 10_000, max: 20_000 }),
  includePending: fc.boolean(),
});

/** The evaluation without its notes: what a void must leave exactly as a removal would. */
function withoutNotes(e: Evaluation): unknown {
  return { ...e, notes: [], installments: e.installments.map((i) => ({ ...i, notes: [] })) };
}

describe("evaluateTimeline (properties)", () => {
  it("behavior: the input order never changes the result", () => {
    fc.assert(
      fc.property(
        timelineArb.chain((t) =>
          fc.record({
            t: fc.constant(t),
            shuffled: fc.shuffledSubarray(t.events, { minLength: t.events.length, maxLength: t.events.length }),
          }),
        ),
        ({ t, shuffled }) => {
          expect(diffEvaluations(evaluateTimeline(t), evaluateTimeline({ ...t, events: shuffled }))).to.deep.equal([]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("behavior: lateBySecs ≥ 0, late ⇔ lateBySecs > 0, an open breach is missing, unclosed and past its deadline", () => {
    fc.assert(
      fc.property(timelineArb, (t) => {
        const e = evaluateTimeline(t);
        // Plain checks collected into one assertion: thousands of chai calls per run would dominate the time.
        const broken: string[] = [];
        const check = (ok: boolean, what: string): void => {
          if (!ok) broken.push(what);
        };
        for (const i of e.installments) {
          check(i.stages.map((s) => s.stage).join() === "DUE,INITIATED,SETTLED,FORWARDED,CONFIRMED", "stage order");
          check(i.stages[0]?.deadline === null, "DUE has no deadline");
          for (const s of i.stages) {
            const where = `${i.installment}/${s.stage}`;
            check(Number.isSafeInteger(s.lateBySecs) && s.lateBySecs >= 0, `${where}: lateBySecs >= 0`);
            check(s.late === s.lateBySecs > 0, `${where}: late iff lateBySecs > 0`);
            check(s.deadline !== null || !s.late, `${where}: no deadline, not late`);
            if (s.open) {
              check(s.at === null && s.closedAt === null, `${where}: open means missing and unclosed`);
              check(s.deadline !== null && t.now > s.deadline, `${where}: open only past the deadline`);
              check(s.lateBySecs === t.now - (s.deadline ?? 0), `${where}: open breach late until now`);
            }
            if (s.at !== null) {
              check(s.judgedAt !== null && s.judgedAt >= s.at, `${where}: judged no earlier than claimed`);
              check(s.backdated || s.judgedAt === s.at, `${where}: judged at its time unless backdated`);
              check(s.closedAt === null, `${where}: a reached stage is not closed`);
            }
          }
        }
        expect(broken).to.deep.equal([]);
        expect(diffEvaluations(JSON.parse(JSON.stringify(e)), e)).to.deep.equal([]);
      }),
      { numRuns: RUNS },
    );
  });

  it("behavior: voiding a receipt equals removing it and its void (notes aside)", () => {
    fc.assert(
      fc.property(
        timelineArb.filter((t) => t.events.length > 0),
        fc.nat(),
        fc.integer({ min: 0, max: 500 }),
        (t, pick, delay) => {
          const target = t.events[pick % t.events.length] as TimelineEvent;
          const at = target.receipt.occurredAt + delay;
          const voided = ev("VOIDED", {
            at,
            ref: target.digest,
            attester: target.receipt.attester,
            amount: 0,
            anchoredAt: at,
          });
          const withVoid = evaluateTimeline({ ...t, events: [...t.events, voided] });
          const removed = evaluateTimeline({ ...t, events: t.events.filter((e) => e !== target) });
          // The voided receipt's installment stays listed (to carry the note) even when nothing else is in it.
          const listed = new Set(removed.installments.map((i) => i.installment));
          const kept = { ...withVoid, installments: withVoid.installments.filter((i) => listed.has(i.installment)) };
          expect(diffEvaluations(withoutNotes(removed), withoutNotes(kept))).to.deep.equal([]);
          const extras = withVoid.installments.filter((i) => !listed.has(i.installment));
          expect(extras.every((i) => i.stages.every((s) => s.at === null && !s.open))).to.equal(true);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("behavior: ignoring pending receipts equals evaluating only the anchored ones", () => {
    fc.assert(
      fc.property(timelineArb, (t) => {
        const anchored = t.events.filter((e) => e.anchoredAt !== null);
        const a = evaluateTimeline({ ...t, includePending: false });
        const b = evaluateTimeline({ ...t, events: anchored, includePending: true });
        expect(diffEvaluations(b, { ...a, pendingIncluded: true })).to.deep.equal([]);
        expect(a.installments.every((i) => i.stages.every((s) => !s.pending))).to.equal(true);
      }),
      { numRuns: RUNS },
    );
  });

  it("behavior: diffEvaluations finds nothing between equal results and exactly the changed field otherwise", () => {
    fc.assert(
      fc.property(
        timelineArb.filter((t) => t.events.some((e) => e.receipt.kind !== 8)),
        fc.nat(),
        fc.nat(),
        (t, pi, ps) => {
          const e = evaluateTimeline(t);
          expect(diffEvaluations(e, JSON.parse(JSON.stringify(e)))).to.deep.equal([]);
          if (e.installments.length === 0) return;
          const i = pi % e.installments.length;
          const s = ps % 5;
          const changed = JSON.parse(JSON.stringify(e)) as Evaluation;
          const target = changed.installments[i]?.stages[s];
          if (!target) throw new Error("no stage");
          target.lateBySecs += 7;
          expect(diffEvaluations(e, changed)).to.deep.equal([
            {
              path: `$.installments[${i}].stages[${s}].lateBySecs`,
              expected: target.lateBySecs - 7,
              actual: target.lateBySecs,
            },
          ]);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
