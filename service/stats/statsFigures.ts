import { STAGES } from "@repayproof/verifier";
import type { Store } from "../store/Store";
import type { StageFact, StatsRow } from "../store/statsRecords";
import { BOUNDS, percentile } from "./histogram";
import { applyFact, DAY, dayOf, emptyRow, mergeRow, rowKey } from "./rollup";

/** A stats query: one agreement, stages filed under `at` in `from`…`to` (inclusive), judged at `now`. */
export interface StatsWindow {
  agreementId: string;
  from: number;
  to: number;
  /** The latest anchored block time: a missing stage is an open breach once `now` passes its deadline. */
  now: number;
}

export interface Spread {
  count: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
  /** The distribution: `[upTo, count]` per non-empty log bucket (values in (previous bound, upTo]), ascending. */
  buckets: [upTo: number, count: number][];
}

/** One (stage, responsible party) row of `GET /v1/stats` (docs/api.md, "Stats"). */
export interface StageFigures {
  stage: string;
  responsible: string | null;
  judged: number;
  late: number;
  lateness: Spread;
  openBreaches: number;
  backdated: number;
  /** Seconds from the previous stage to this one (SETTLED: settle time; FORWARDED: collector float). */
  duration: Spread;
}

export interface StatsFigures {
  agreementId: string;
  from: number;
  to: number;
  asOf: number;
  stages: StageFigures[];
}

const spread = (count: number, hist: Record<string, number>, max: number): Spread => ({
  count,
  p50: percentile(hist, 50, max),
  p95: percentile(hist, 95, max),
  max: count > 0 ? max : null,
  buckets: Object.entries(hist)
    .map(([k, c]): [number, number] => [BOUNDS[Number(k)] as number, c])
    .sort((a, b) => a[0] - b[0]),
});

/** Rows being summed: from day totals and from stage facts alike. */
export class FigureRows {
  private readonly rows = new Map<string, StatsRow & { open: number }>();

  /** Adds a row of a day's totals; its candidates are open breaches when the whole day is past `now`. */
  addDay(r: StatsRow, allOpen: boolean): void {
    const into = this.row(r.stage, r.responsible);
    mergeRow(into, r);
    if (allOpen) into.open += r.candidates;
  }

  /** Adds one stage fact, judged open when `now` is past its deadline. */
  addFact(f: StageFact, now: number): void {
    const into = this.row(f.stage, f.responsible);
    applyFact({ rows: { [rowKey(f.stage, f.responsible)]: into } }, f, 1);
    if (f.candidate && now > f.at) into.open += 1;
  }

  /** The rows as served, by stage then party; rows of stages still waiting for their deadline say nothing yet. */
  stages(): StageFigures[] {
    return [...this.rows.values()]
      .filter((r) => r.judged + r.open + r.backdated + r.durations > 0)
      .sort((x, y) => x.stage - y.stage || String(x.responsible).localeCompare(String(y.responsible)))
      .map((r) => ({
        stage: STAGES[r.stage] as string,
        responsible: r.responsible,
        judged: r.judged,
        late: r.late,
        lateness: spread(r.late, r.lateHist, r.lateMax),
        openBreaches: r.open,
        backdated: r.backdated,
        duration: spread(r.durations, r.durationHist, r.durationMax),
      }));
  }

  private row(stage: number, responsible: string | null): StatsRow & { open: number } {
    const key = rowKey(stage, responsible);
    let r = this.rows.get(key);
    if (!r) this.rows.set(key, (r = { ...emptyRow(stage, responsible), open: 0 }));
    return r;
  }
}

/**
 * The figures of a window from the index, never from the receipts: whole UTC days from their day totals,
 * and only the days cut by the window's ends or holding `now` (where some missing stages are open and some
 * not yet) from their stage facts. Open breaches: candidates whose deadline `now` has passed.
 */
export async function statsFigures(store: Store, w: StatsWindow): Promise<StatsFigures> {
  const rows = new FigureRows();
  const firstFull = Math.ceil(w.from / DAY);
  const lastFull = Math.floor((w.to + 1) / DAY) - 1;
  const nowDay = dayOf(w.now);
  const scans: [number, number][] = [];
  const wholeDays: [number, number][] = [];
  if (firstFull > lastFull) scans.push([w.from, w.to]);
  else {
    if (w.from < firstFull * DAY) scans.push([w.from, firstFull * DAY - 1]);
    if (w.to > lastFull * DAY + DAY - 1) scans.push([(lastFull + 1) * DAY, w.to]);
    if (nowDay >= firstFull && nowDay <= lastFull) {
      scans.push([nowDay * DAY, nowDay * DAY + DAY - 1]);
      wholeDays.push([firstFull, nowDay - 1], [nowDay + 1, lastFull]);
    } else wholeDays.push([firstFull, lastFull]);
  }
  for (const [a, b] of wholeDays) {
    if (a > b) continue;
    for await (const [day, rollup] of store.statsDays(w.agreementId, a, b)) {
      for (const r of Object.values(rollup.rows)) rows.addDay(r, day < nowDay);
    }
  }
  for (const [a, b] of scans) {
    for await (const [, f] of store.statsFacts(w.agreementId, a, b)) rows.addFact(f, w.now);
  }
  return { agreementId: w.agreementId, from: w.from, to: w.to, asOf: w.now, stages: rows.stages() };
}
