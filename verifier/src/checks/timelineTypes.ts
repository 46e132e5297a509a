import type { AgreementVersion } from "../formats/terms";
import type { Evaluation, EvaluationDifference } from "../timeline/evaluateTimeline";
import { CheckLog } from "./checkLog";
import type { CompleteCode } from "./complete";
import type { CheckResult, CheckResultOf } from "./types";

/** The checks of a timeline verification, in order (see docs/verifying.md, "verify-timeline"). */
export const TIMELINE_CHECKS = ["FORMAT", "CHAIN", "EVENTS", "TERMS", "AS_OF", "EVALUATION"] as const;
/**
 * The checks' names: those above, and COMPLETE (v0.2), which runs after EVENTS only when the timeline carries
 * `completeness` — a timeline without it claims nothing about completeness, and keeps the checks it had.
 */
export type TimelineCheckName = (typeof TIMELINE_CHECKS)[number] | "COMPLETE";

/** The stable codes of timeline checks (the API: match on them, not on messages). */
export type TimelineVerifyCode =
  | "MALFORMED_TIMELINE" // FORMAT
  | "WRONG_CHAIN" // CHAIN
  | "NO_CONTRACT_CODE"
  | "UNTRUSTED_CONTRACTS"
  | "REGISTRY_MISMATCH"
  | "EVENT_INVALID" // EVENTS: some event failed its own verification
  | "EVENT_FOREIGN" // EVENTS: some event belongs to another loan, agreement or deployment
  | CompleteCode // COMPLETE (checks/complete.ts); it runs only when the timeline carries `completeness`
  | "UNKNOWN_AGREEMENT" // TERMS
  | "TERMS_MISMATCH"
  | "ASOF_IN_FUTURE" // AS_OF
  | "EVALUATION_MISMATCH" // EVALUATION
  | "RPC_ERROR"
  | "DEPENDENCY_FAILED";

/** One check of a timeline verification. */
export type TimelineCheckResult = CheckResultOf<TimelineCheckName, TimelineVerifyCode>;

/**
 * Which checks each timeline check needs to have passed. EVALUATION needs more than a pass (the registry's
 * terms, and every event checked even if some failed): verifyTimelineBundle decides it.
 */
const TIMELINE_DEPENDS_ON: Readonly<Record<TimelineCheckName, readonly TimelineCheckName[]>> = {
  FORMAT: [],
  CHAIN: ["FORMAT"],
  EVENTS: ["CHAIN"],
  COMPLETE: ["CHAIN"],
  TERMS: ["CHAIN"],
  AS_OF: ["CHAIN"],
  EVALUATION: ["CHAIN"],
};

/** A timeline check log: {@link TIMELINE_CHECKS} in order. */
export function timelineCheckLog(): CheckLog<TimelineCheckName, TimelineVerifyCode> {
  return new CheckLog<TimelineCheckName, TimelineVerifyCode>(TIMELINE_CHECKS, TIMELINE_DEPENDS_ON);
}

/**
 * One event's verdict: anchored events carry verifyReceiptBundle's checks, pending ones DIGEST, SIGNATURE
 * and ACK. Their `field`s are paths in the timeline (`events[3].ack.signature`).
 */
export interface TimelineEventResult {
  index: number;
  digest: string;
  pending: boolean;
  /** Of another loan, agreement or deployment than the timeline's: never verified further, never counted. */
  foreign: boolean;
  valid: boolean;
  /** Genuine (a late anchor or Ack breach aside): counted in the recomputed evaluation. */
  counted: boolean;
  inconclusive: boolean;
  /** From the chain (`anchorOf`), never from the bundle; null for pending events. */
  anchoredAt: number | null;
  checks: CheckResult[];
}

/** The verdict on a timeline: its checks, every event's, and every difference found. */
export interface TimelineVerifyResult {
  /** Every event verifies, the bundle's terms are the registry's, and the evaluation is reproduced exactly. */
  valid: boolean;
  /** Some check could not run (RPC failure): the result says nothing either way. */
  inconclusive: boolean;
  checks: TimelineCheckResult[];
  events: TimelineEventResult[];
  /** Where the bundle's copy of the agreement versions differs from the registry's (expected = chain). */
  termsDifferences: EvaluationDifference[];
  /** Where the service's evaluation differs from the recomputed one (expected = recomputed). */
  differences: EvaluationDifference[];
  /** The time the evaluation was recomputed at: `evaluation.asOf`, or a later anchor time of an event. */
  now?: number;
  evaluation?: Evaluation;
  /** The agreement's versions as the registry records them (what the evaluation was judged under). */
  versions?: AgreementVersion[];
}
