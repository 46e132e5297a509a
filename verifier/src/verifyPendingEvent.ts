import type { PendingTimelineEvent, TimelineBundle } from "./formats/timelineBundle";
import { checkAck } from "./checks/ack";
import type { ChainReads } from "./checks/chainReads";
import { CheckLog } from "./checks/checkLog";
import { checkDigest, receiptDomainSeparator } from "./checks/digest";
import { inTimeline } from "./checks/events";
import { checkSignature } from "./checks/signature";
import type { TimelineEventResult } from "./checks/timelineTypes";
import type { CheckName, VerifyCode } from "./checks/types";

/** A pending event's checks: a receipt bundle's DIGEST, SIGNATURE and ACK (its CHAIN is the timeline's). */
const PENDING_CHECKS: readonly CheckName[] = ["DIGEST", "SIGNATURE", "ACK"];
const PENDING_DEPENDS_ON = { SIGNATURE: ["DIGEST"], ACK: ["SIGNATURE"] } as const;

/**
 * Verifies a pending event of a timeline (whose CHAIN passed) with the receipt bundle's own check code:
 * DIGEST, SIGNATURE (the attester's, ECDSA or ERC-1271) and ACK (signed by the operator of the timeline's
 * stream; single or batch Ack; late when `anchorBy` is before the timeline's `asOf`, as the service admits;
 * skipped before the stream's first anchor, when no operator is on chain to be held to it). The event
 * counts when its digest and signature verify. Fields are paths in the timeline (`events[3].ack.signature`).
 */
export async function verifyPendingEvent(
  reads: ChainReads,
  t: TimelineBundle,
  p: PendingTimelineEvent,
  index: number,
): Promise<TimelineEventResult> {
  const log = new CheckLog<CheckName, VerifyCode>(PENDING_CHECKS, PENDING_DEPENDS_ON);
  const separator = receiptDomainSeparator(t.chainId, t.contracts.anchor);
  const { digest, outcome } = checkDigest(p.receipt, p.digest, separator);
  log.add("DIGEST", outcome);
  if (log.ready("SIGNATURE"))
    log.add("SIGNATURE", await checkSignature(reads, p.receipt.attester, digest, p.signature));
  if (log.ready("ACK")) {
    const subject = { ack: p.ack, digest, domainSeparator: separator, anchor: t.contracts.anchor, stream: t.stream };
    const deadline = { kind: "unanchored", now: async () => t.asOf, what: `still pending at ${t.asOf}` } as const;
    log.add("ACK", (await checkAck(reads, subject, deadline, { skipUnopenedStream: true })).outcome);
  }
  const counted = log.passed("DIGEST") && log.passed("SIGNATURE");
  const inconclusive = log.checks.some((c) => c.status === "error");
  const ack = log.find("ACK")?.status;
  return {
    index,
    digest,
    pending: true,
    foreign: false,
    valid: counted && !inconclusive && (ack === "pass" || ack === "skip"),
    counted,
    inconclusive,
    anchoredAt: null,
    checks: inTimeline(index, log.checks),
  };
}
