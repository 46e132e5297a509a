/**
 * The records of the stats index (service/stats/): what one loan contributes, and each UTC day's totals
 * per stage and responsible party. Plain JSON, so any backend stores them as they are.
 */

/** One stage of one installment of a loan, as far as the figures need it (docs/api.md, "Stats"). */
export interface StageFact {
  loanId: string;
  installment: number;
  /** 0–4: DUE, INITIATED, SETTLED, FORWARDED, CONFIRMED. */
  stage: number;
  /** The evaluation's `responsible`: an address, `"borrower"`, or null (DUE). */
  responsible: string | null;
  /** The time the stage is filed under: its deadline, else (no deadline) its judgement time. */
  at: number;
  /** Lateness is final: the stage has a deadline and was reached or closed by a later one. */
  judged: boolean;
  /** The evaluation's lateBySecs when judged, else 0. */
  lateBy: number;
  /** The stage was reached by a backdated receipt (judged at its anchor time). */
  backdated: boolean;
  /** Missing, nothing closes it, deadline known: an open breach once the chain's time passes `at`. */
  candidate: boolean;
  /** Seconds from the previous stage's judgement time to this one's (0 when it came first), if both are reached. */
  duration: number | null;
}

/** Everything one loan contributes under one agreement (replaced whole when its receipts change). */
export interface LoanStats {
  facts: StageFact[];
}

/** Totals of one (stage, responsible) pair over one UTC day of `at`. Histograms: bucket index → count. */
export interface StatsRow {
  stage: number;
  responsible: string | null;
  judged: number;
  late: number;
  lateHist: Record<string, number>;
  lateMax: number;
  backdated: number;
  candidates: number;
  durations: number;
  durationHist: Record<string, number>;
  durationMax: number;
}

/** One agreement's totals over one UTC day, keyed by `${stage}|${responsible ?? ""}`. */
export interface StatsDay {
  rows: Record<string, StatsRow>;
}
