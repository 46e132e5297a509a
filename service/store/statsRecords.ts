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

/**
 * One anchored receipt of a loan, as much of it as the evaluation reads (kept so that a batch's loans are
 * evaluated again without reading their earlier receipts).
 */
export interface LoanEvent {
  digest: string;
  kind: number;
  installment: number;
  occurredAt: number;
  attester: string;
  /** Decimal, minor units. */
  amount: string;
  currency: number;
  /** A VOIDED receipt's target; null for other kinds (the evaluation reads no other `ref`). */
  ref: string | null;
  /** The block time of the batch that anchored it. */
  anchoredAt: number;
}

/**
 * Everything one loan contributes under one agreement: its anchored receipts (as the index has taken them
 * in) and the stage facts they give (replaced whole when a batch adds to them).
 */
export interface LoanStats {
  facts: StageFact[];
  events: LoanEvent[];
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
