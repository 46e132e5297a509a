import { KIND, type Receipt, type ReceiptJson, type TimelineEvent } from "@repayproof/verifier";
import type { LoanEvent } from "../store/statsRecords";

const ZERO_BYTES32 = "0x" + "00".repeat(32);

/**
 * The most receipts of one loan under one agreement the index evaluates: the timeline serves no more either
 * (service/read/timeline.ts, TIMELINE_LIMITS). A loan past it keeps the figures it had.
 */
export const MAX_LOAN_EVENTS = 10_000;

/** What the index keeps of an anchored receipt (`json` as stored, `anchoredAt` its batch's block time). */
export function loanEvent(digest: string, json: ReceiptJson, anchoredAt: number): LoanEvent {
  return {
    digest: digest.toLowerCase(),
    kind: json.kind,
    installment: json.installment,
    occurredAt: json.occurredAt,
    attester: json.attester,
    amount: json.amount,
    currency: json.currency,
    ref: json.kind === KIND.VOIDED ? json.ref.toLowerCase() : null,
    anchoredAt,
  };
}

/** `held` with `added` taken in: one event per digest (a digest taken in again replaces its event), in digest order. */
export function mergeEvents(held: readonly LoanEvent[], added: readonly LoanEvent[]): LoanEvent[] {
  const byDigest = new Map(held.map((e) => [e.digest, e]));
  for (const e of added) byDigest.set(e.digest, e);
  return [...byDigest.values()].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
}

/**
 * The events as `evaluateTimeline` takes them. Fields the evaluation never reads (channel, externalRef,
 * nonce; `ref` of kinds other than VOIDED) are zero: the figures are read off the same evaluation as the
 * timeline's, which a test holds equal.
 */
export function timelineEvents(agreementId: string, loanId: string, events: readonly LoanEvent[]): TimelineEvent[] {
  return events.map((e) => {
    const receipt: Receipt = {
      agreementId,
      loanId,
      installment: e.installment,
      kind: e.kind,
      amount: BigInt(e.amount),
      currency: e.currency,
      channel: 0,
      externalRef: ZERO_BYTES32,
      ref: e.ref ?? ZERO_BYTES32,
      occurredAt: e.occurredAt,
      nonce: 0n,
      attester: e.attester,
    };
    return { digest: e.digest, receipt, anchoredAt: e.anchoredAt };
  });
}
