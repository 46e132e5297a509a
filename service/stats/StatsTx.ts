import type { Store, WriteOp } from "../store/Store";
import type { LoanStats, StageFact, StatsDay } from "../store/statsRecords";
import { applyFact, DAY, dayOf, recomputeMaxima } from "./rollup";

const factId = (agreementId: string, f: StageFact): string =>
  `${agreementId}|${f.loanId}:${f.installment}:${f.stage}:${f.at}`;
const same = (a: StageFact, b: StageFact): boolean => JSON.stringify(a) === JSON.stringify(b);

interface Day {
  agreementId: string;
  day: number;
  rollup: StatsDay;
  /** A removed fact may have held a maximum: recompute the day's maxima before writing. */
  maxLost: boolean;
}

/**
 * One update of the stats index, gathered in memory and written in one atomic store write: loans' facts
 * replaced, day totals adjusted by the difference (counts and histograms exactly; maxima recomputed from the
 * day's facts when a removal may have taken one). Reads see the update's own changes. One at a time.
 */
export class StatsTx {
  private readonly ops: WriteOp[] = [];
  private readonly days = new Map<string, Day>();
  private readonly facts = new Map<string, StageFact | null>();

  constructor(private readonly store: Store) {}

  /**
   * Replaces what `loanId` contributes under `agreementId` — `old` facts, as the index holds them (read before
   * this update; each loan is replaced once per update) — by `stats`. Calls are awaited one after the other.
   */
  async replaceLoan(agreementId: string, loanId: string, stats: LoanStats, old: readonly StageFact[]): Promise<void> {
    const { facts } = stats;
    const before = new Map(old.map((f) => [factId(agreementId, f), f]));
    const after = new Map(facts.map((f) => [factId(agreementId, f), f]));
    for (const [id, f] of before) {
      const next = after.get(id);
      if (next && same(f, next)) continue;
      const d = await this.day(agreementId, dayOf(f.at));
      d.maxLost = applyFact(d.rollup, f, -1) || d.maxLost;
      this.ops.push({ type: "statsFact", agreementId, fact: f, remove: true });
      this.facts.set(id, null);
    }
    for (const [id, f] of after) {
      const prev = before.get(id);
      if (prev && same(f, prev)) continue;
      applyFact((await this.day(agreementId, dayOf(f.at))).rollup, f, 1);
      this.ops.push({ type: "statsFact", agreementId, fact: f });
      this.facts.set(id, f);
    }
    this.ops.push({ type: "loanStats", agreementId, loanId, stats });
  }

  /** Writes everything, with `extra` (the watermark) in the same atomic write. */
  async commit(extra: readonly WriteOp[]): Promise<void> {
    for (const d of this.days.values()) {
      if (d.maxLost) recomputeMaxima(d.rollup, await this.dayFacts(d.agreementId, d.day));
      const empty = Object.keys(d.rollup.rows).length === 0;
      this.ops.push({ type: "statsDay", agreementId: d.agreementId, day: d.day, rollup: empty ? null : d.rollup });
    }
    await this.store.write([...this.ops, ...extra]);
  }

  private async day(agreementId: string, day: number): Promise<Day> {
    const key = `${agreementId}:${day}`;
    let d = this.days.get(key);
    if (!d) {
      let rollup: StatsDay = { rows: {} };
      for await (const [, r] of this.store.statsDays(agreementId, day, day)) rollup = r;
      d = { agreementId, day, rollup, maxLost: false };
      this.days.set(key, d);
    }
    return d;
  }

  /** The day's facts as they will be once written: the store's, with this update's changes over them. */
  private async dayFacts(agreementId: string, day: number): Promise<StageFact[]> {
    const out: StageFact[] = [];
    for await (const [, f] of this.store.statsFacts(agreementId, day * DAY, day * DAY + DAY - 1)) {
      if (!this.facts.has(factId(agreementId, f))) out.push(f);
    }
    for (const [id, f] of this.facts) {
      if (f && id.startsWith(agreementId + "|") && dayOf(f.at) === day) out.push(f);
    }
    return out;
  }
}
