import type { Receipt } from "../formats/receipt";
import type { AgreementVersion } from "../formats/terms";

/** The stages of an installment's repayment, in order (the kind names of receipts 1–5). */
export const STAGES = ["DUE", "INITIATED", "SETTLED", "FORWARDED", "CONFIRMED"] as const;
export type StageName = (typeof STAGES)[number];

/**
 * Where an installment stands (docs/timeline.md, "Status"). `due` is ours, beyond the five named in the issue:
 * fallen due (or not yet), nothing paid, not past the borrower's grace.
 */
export type InstallmentStatus = "paid" | "partially paid" | "overdue" | "compensated" | "reversed" | "due";

/** One receipt of the loan, with the block time of the batch that anchored it (null while pending). */
export interface TimelineEvent {
  digest: string;
  receipt: Receipt;
  anchoredAt: number | null;
}

export interface EvaluateTimelineParameters {
  /** Every receipt of one loan, in any order; duplicates by digest are merged. */
  events: readonly TimelineEvent[];
  /** The agreement's versions as recorded on chain (any order; at least version 1). */
  versions: readonly AgreementVersion[];
  /** The judgement time: the latest anchored block time. Never the wall clock, so the result is reproducible. */
  now: number;
  /** Count pending (unanchored) receipts at their claimed time (default true); the chain-only verifier passes false. */
  includePending?: boolean;
}

/** Why a receipt was left out, or a fact worth telling about an installment's amounts. */
export type TimelineNoteCode =
  | "VOIDED" // `digest` withdrawn by the VOIDED receipt `by`
  | "VOID_IGNORED" // the VOIDED receipt `digest` names no receipt of the loan, another VOIDED, or is not by its attester
  | "NOT_AUTHORIZED" // `digest`'s attester may not sign its kind under the version in force at its occurredAt
  | "CURRENCY_MISMATCH" // `digest` is in another currency than the installment's
  | "NO_DUE" // no DUE receipt: the amount due is unknown, each stage is its first receipt
  | "OVERPAID" // `amount` paid beyond the amount due
  | "DATED_AFTER_ANCHOR"; // `digest` claims to have happened after it was anchored (beyond the allowed skew): not counted

/**
 * How far a receipt's `occurredAt` may lie after its anchor's block time (clocks differ): beyond it the receipt
 * is post-dated — it claims to have happened after it provably existed — and is not counted. The service
 * refuses receipts dated more than MAX_FUTURE_SKEW_S (default 300) ahead of its clock, so none it anchors is.
 */
export const MAX_DATED_AFTER_ANCHOR_S = 300;

export interface TimelineNote {
  code: TimelineNoteCode;
  digest?: string;
  by?: string;
  amount?: string;
}

/** One stage of one installment. The first seven fields are the fixed format (DESIGN.md, "Timeline bundle"). */
export interface StageEvaluation {
  stage: StageName;
  /** occurredAt of the receipt that brought the stage's summed amount up to the amount due; null while missing. */
  at: number | null;
  /** Anchor time of that receipt; null when missing or pending. */
  anchoredAt: number | null;
  /** Latest allowed time: earlier stage's judgedAt + allowance; null for DUE or when the earlier stage is missing. */
  deadline: number | null;
  /** judgedAt (or, for a missing stage, closedAt or `now`) is past the deadline. */
  late: boolean;
  /** By how much; 0 when not late. */
  lateBySecs: number;
  /** "borrower", a checksummed address, or null when not determinable (DUE; no earlier stage). */
  responsible: string | null;
  /** The receipt that completed the stage. */
  digest: string | null;
  /** The time the stage is judged at: `at`, or the anchor time when a receipt summed into it is backdated. */
  judgedAt: number | null;
  /** A receipt summed into the stage was anchored more than reportSecs after its occurredAt. */
  backdated: boolean;
  /** A receipt summed into the stage is not anchored yet: the judgement may change once it is. */
  pending: boolean;
  /** Missing past its deadline, and nothing later shows it happened: an open breach of `responsible`. */
  open: boolean;
  /** For a missing stage: when a later stage or the guarantor's compensation showed it moot; else null. */
  closedAt: number | null;
  /** The agreement version whose allowance set the deadline. */
  version: number | null;
  /** Sum of the counted receipts of this kind (decimal string, minor units). */
  amount: string;
}

export interface InstallmentEvaluation {
  installment: number;
  stages: StageEvaluation[];
  status: InstallmentStatus;
  /** ISO 4217 numeric code of the installment (its first DUE, else its first counted receipt); null if none. */
  currency: number | null;
  /** Amount due: the sum of DUE receipts. */
  due: string;
  /** Sum of SETTLED receipts (before reversals). */
  settled: string;
  /** Sum of REVERSED receipts. */
  reversed: string;
  /** Sum of COMPENSATED receipts. */
  compensated: string;
  notes: TimelineNote[];
}

export interface Evaluation {
  installments: InstallmentEvaluation[];
  /** The `now` it was judged at, so a verifier can recompute at the same instant. */
  asOf: number;
  pendingIncluded: boolean;
  /** Notes about VOIDED receipts that could not be attached to an installment. */
  notes: TimelineNote[];
}
