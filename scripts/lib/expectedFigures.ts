import type { Evaluation } from "@repayproof/verifier";
import { BOUNDS, bucketOf } from "../../service/stats/histogram";

/** A (stage, responsible) row's numbers, as recomputed from verified timelines (the stats test and the demo). */
export interface Expected {
  judged: number;
  late: number;
  lateness: { count: number; p50: number | null; p95: number | null; max: number | null; buckets: number[][] };
  openBreaches: number;
  backdated: number;
  duration: Expected["lateness"];
}

export interface Behind {
  loanId: string;
  installment: number;
  stage: string;
  responsible: string | null;
  figure: string;
  lateBySecs: number;
}

/** The documented percentile: the log bucket's upper bound of the exact nearest-rank value, capped at the max. */
function spread(values: number[]): Expected["lateness"] {
  if (values.length === 0) return { count: 0, p50: null, p95: null, max: null, buckets: [] };
  const sorted = [...values].sort((a, b) => a - b);
  const max = sorted[sorted.length - 1] as number;
  const p = (q: number): number => {
    const exact = sorted[Math.max(1, Math.ceil((q / 100) * sorted.length)) - 1] as number;
    return Math.min(BOUNDS[bucketOf(exact)] as number, max);
  };
  const buckets = new Map<number, number>();
  for (const v of sorted)
    buckets.set(BOUNDS[bucketOf(v)] as number, (buckets.get(BOUNDS[bucketOf(v)] as number) ?? 0) + 1);
  return { count: values.length, p50: p(50), p95: p(95), max, buckets: [...buckets] };
}

/**
 * Every stage of every loan's evaluation (recomputed by the verifier) filed under its deadline (its judgement
 * time without one) in `from`…`to`, read straight from the timeline's own fields: the figures `GET /v1/stats`
 * must give, keyed `${stage}|${responsible}`, and the stages behind each figure.
 */
export function expectedFigures(
  evaluations: ReadonlyMap<string, Evaluation>,
  from: number,
  to: number,
): { rows: Map<string, Expected>; behind: Behind[] } {
  const acc = new Map<
    string,
    { late: number[]; durations: number[]; judged: number; open: number; backdated: number }
  >();
  const behind: Behind[] = [];
  for (const [loanId, ev] of evaluations) {
    for (const inst of ev.installments) {
      inst.stages.forEach((s, k) => {
        const at = s.deadline ?? s.judgedAt;
        if (at === null || at < from || at > to) return;
        const key = `${s.stage}|${s.responsible ?? ""}`;
        const a = acc.get(key) ?? { late: [], durations: [], judged: 0, open: 0, backdated: 0 };
        const add = (figure: string): number =>
          behind.push({
            loanId,
            installment: inst.installment,
            stage: s.stage,
            responsible: s.responsible,
            figure,
            lateBySecs: s.lateBySecs,
          });
        const prev = k > 0 ? inst.stages[k - 1]?.judgedAt : null;
        if (s.deadline !== null && (s.judgedAt !== null || s.closedAt !== null)) {
          a.judged++;
          add("judged");
          if (s.late) {
            a.late.push(s.lateBySecs);
            add("late");
          }
        }
        if (s.open) {
          a.open++;
          add("open");
        }
        if (s.backdated) {
          a.backdated++;
          add("backdated");
        }
        if (s.judgedAt !== null && prev !== null && prev !== undefined) {
          a.durations.push(Math.max(0, s.judgedAt - prev));
          add("duration");
        }
        acc.set(key, a);
      });
    }
  }
  const rows = new Map<string, Expected>();
  for (const [key, a] of acc) {
    if (a.judged + a.open + a.backdated + a.durations.length === 0) continue;
    rows.set(key, {
      judged: a.judged,
      late: a.late.length,
      lateness: spread(a.late),
      openBreaches: a.open,
      backdated: a.backdated,
      duration: spread(a.durations),
    });
  }
  return { rows, behind };
}
