import type { StageFact, StatsDay, StatsRow } from "../store/statsRecords";
import { addTo, mergeInto } from "./histogram";

/** Seconds in a UTC day: the rollups' unit. */
export const DAY = 86_400;
export const dayOf = (t: number): number => Math.floor(t / DAY);

export const rowKey = (stage: number, responsible: string | null): string => `${stage}|${responsible ?? ""}`;

export function emptyRow(stage: number, responsible: string | null): StatsRow {
  return {
    stage,
    responsible,
    judged: 0,
    late: 0,
    lateHist: {},
    lateMax: 0,
    backdated: 0,
    candidates: 0,
    durations: 0,
    durationHist: {},
    durationMax: 0,
  };
}

/**
 * Adds (`sign` 1) or removes (-1) one fact's share of a day's row. Counts and histograms subtract exactly; a
 * maximum cannot, so removing a fact that may have been the maximum returns true: the caller recomputes it
 * from the day's facts.
 */
export function applyFact(day: StatsDay, f: StageFact, sign: 1 | -1): boolean {
  const key = rowKey(f.stage, f.responsible);
  const row = (day.rows[key] ??= emptyRow(f.stage, f.responsible));
  let maxLost = false;
  if (f.judged) {
    row.judged += sign;
    if (f.lateBy > 0) {
      row.late += sign;
      addTo(row.lateHist, f.lateBy, sign);
      if (sign > 0) row.lateMax = Math.max(row.lateMax, f.lateBy);
      else maxLost ||= f.lateBy >= row.lateMax;
    }
  }
  if (f.backdated) row.backdated += sign;
  if (f.candidate) row.candidates += sign;
  if (f.duration !== null) {
    row.durations += sign;
    addTo(row.durationHist, f.duration, sign);
    if (sign > 0) row.durationMax = Math.max(row.durationMax, f.duration);
    else maxLost ||= f.duration >= row.durationMax;
  }
  if (row.judged === 0 && row.backdated === 0 && row.candidates === 0 && row.durations === 0) delete day.rows[key];
  return maxLost;
}

/** Recomputes the maxima of every row of `day` from all of that day's facts. */
export function recomputeMaxima(day: StatsDay, facts: Iterable<StageFact>): void {
  for (const row of Object.values(day.rows)) {
    row.lateMax = 0;
    row.durationMax = 0;
  }
  for (const f of facts) {
    const row = day.rows[rowKey(f.stage, f.responsible)];
    if (!row) continue;
    if (f.judged && f.lateBy > 0) row.lateMax = Math.max(row.lateMax, f.lateBy);
    if (f.duration !== null) row.durationMax = Math.max(row.durationMax, f.duration);
  }
}

/** Adds `from` (a row's totals, any day) into `into`; `open` is counted by the caller. */
export function mergeRow(into: StatsRow, from: StatsRow): void {
  into.judged += from.judged;
  into.late += from.late;
  mergeInto(into.lateHist, from.lateHist);
  into.lateMax = Math.max(into.lateMax, from.lateMax);
  into.backdated += from.backdated;
  into.candidates += from.candidates;
  into.durations += from.durations;
  mergeInto(into.durationHist, from.durationHist);
  into.durationMax = Math.max(into.durationMax, from.durationMax);
}
