import { CheckLog } from "./checkLog";

/**
 * The named checks of a bundle verification, in the order they run, and their stable result codes. Codes
 * are the API (tests and scripts match on them); messages are for humans and may change.
 */
export const CHECKS = [
  "FORMAT",
  "CHAIN",
  "DIGEST",
  "SIGNATURE",
  "ROLE",
  "INCLUSION",
  "ANCHOR",
  "FINALITY",
  "ACK",
] as const;
export type CheckName = (typeof CHECKS)[number];

/**
 * `pass`/`fail` say something about the bundle; `skip` means a check it depends on failed (or, for ACK,
 * that the bundle carries no ack); `error` means the check could not be run (the RPC failed) and says
 * nothing about the bundle.
 */
export type CheckStatus = "pass" | "fail" | "skip" | "error";

export type VerifyCode =
  // FORMAT
  | "MALFORMED_BUNDLE"
  // CHAIN
  | "WRONG_CHAIN"
  | "NO_CONTRACT_CODE"
  | "REGISTRY_MISMATCH"
  | "UNTRUSTED_CONTRACTS"
  // DIGEST
  | "DIGEST_MISMATCH"
  // SIGNATURE
  | "BAD_SIGNATURE"
  // ROLE
  | "NOT_AUTHORIZED"
  // INCLUSION
  | "NOT_INCLUDED"
  // ANCHOR
  | "NOT_ANCHORED"
  | "ANCHOR_MISMATCH"
  | "DATED_AFTER_ANCHOR"
  // FINALITY
  | "NOT_FINAL"
  // ACK
  | "ACK_NOT_INCLUDED"
  | "BAD_ACK_SIGNATURE"
  | "OPERATOR_BREACH_LATE_ANCHOR"
  // any check that reads the chain
  | "RPC_ERROR"
  // a skipped check
  | "DEPENDENCY_FAILED"
  | "NO_ACK";

/** One check's result, in any verification (receipt bundle, pending event, timeline). */
export interface CheckResultOf<N extends string, C extends string> {
  check: N;
  status: CheckStatus;
  code?: C;
  message?: string;
  /**
   * Where a failed (or unrunnable) check failed: the path of the input field it judged, from the input's
   * root (`receipt.amount`, `batch.root`, `proof`, `ack.signature`; in a timeline `events[3].ack.signature`).
   * Absent on passed and skipped checks.
   */
  field?: string;
}

/** One check of a receipt proof bundle's verification. */
export type CheckResult = CheckResultOf<CheckName, VerifyCode>;

/** What the chain says about the bundle's root (`anchorOf`), plus confirmations at verification time. */
export interface AnchorInfo {
  stream: string;
  seq: number;
  count: number;
  timestamp: number;
  blockNumber: number;
  confirmations: number;
}

/**
 * An operator's broken promise: the root was anchored after the Ack's `anchorBy`, or is still not anchored
 * (`anchoredAt` null) although the chain's latest block is past `anchorBy`.
 */
export interface OperatorBreach {
  code: "OPERATOR_BREACH_LATE_ANCHOR";
  operator: string;
  anchorBy: number;
  anchoredAt: number | null;
  /** Anchor time (or, when unanchored, the latest block time) minus `anchorBy`. */
  lateBySecs: number;
}

export interface VerifyResult {
  /** Every check passed (a skipped ACK when the bundle has no ack counts as passed). */
  valid: boolean;
  /**
   * The receipt itself is genuine, signed by an authorized attester, included in an anchored, final root:
   * every check but ACK passed. A late anchor (a {@link OperatorBreach}) leaves `authentic` true and
   * `valid` false: it is evidence against the operator, not a forgery of the receipt.
   */
  authentic: boolean;
  /** Some check could not run (RPC failure): the result says nothing either way. */
  inconclusive: boolean;
  /** The digest recomputed from the receipt fields (absent when the bundle is malformed). */
  digest?: string;
  checks: CheckResult[];
  /** From the chain, never from the bundle. */
  anchor?: AnchorInfo;
  breach?: OperatorBreach;
}

/** Which earlier checks each check needs to have passed; when one did not, it is reported `skip`. */
export const DEPENDS_ON: Readonly<Record<CheckName, readonly CheckName[]>> = {
  FORMAT: [],
  CHAIN: ["FORMAT"],
  DIGEST: ["FORMAT"],
  SIGNATURE: ["CHAIN", "DIGEST"],
  ROLE: ["CHAIN"],
  INCLUSION: ["DIGEST"],
  ANCHOR: ["CHAIN"],
  FINALITY: ["ANCHOR"],
  ACK: ["SIGNATURE", "INCLUSION"],
};

/** Folds check results into a {@link VerifyResult}'s verdict flags. */
export function verdict(checks: readonly CheckResult[]): Pick<VerifyResult, "valid" | "authentic" | "inconclusive"> {
  const bad = (c: CheckResult): boolean => c.status === "fail" || c.status === "error";
  const inconclusive = checks.some((c) => c.status === "error");
  const coreOk = checks.every((c) => c.check === "ACK" || (c.status === "pass" && !bad(c)));
  const ack = checks.find((c) => c.check === "ACK");
  const ackOk = ack === undefined || ack.status === "pass" || (ack.status === "skip" && ack.code === "NO_ACK");
  return {
    valid: coreOk && ackOk && !inconclusive,
    authentic: coreOk && !inconclusive,
    inconclusive,
  };
}

/** A receipt-bundle check log: {@link CHECKS} in order, {@link DEPENDS_ON} deciding what is skipped. */
export function receiptCheckLog(): CheckLog<CheckName, VerifyCode> {
  return new CheckLog<CheckName, VerifyCode>(CHECKS, DEPENDS_ON);
}
