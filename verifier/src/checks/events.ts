import { sameAddress } from "../crypto/signature";
import { eventReceipt, type TimelineBundle, type TimelineBundleEvent } from "../formats/timelineBundle";
import { failed, passed, type Outcome } from "./checkLog";
import type { TimelineEventResult } from "./timelineTypes";
import type { CheckResult } from "./types";

/** What EVENTS fails with. */
export type EventsCode = "EVENT_INVALID" | "EVENT_FOREIGN";

/**
 * Whether an event belongs to another loan, agreement or (anchored events) deployment than the timeline's.
 * Such an event is never verified further and never counted: it would prove something about another loan.
 */
export function isForeignEvent(t: TimelineBundle, e: TimelineBundleEvent): boolean {
  const { receipt } = eventReceipt(e);
  if (receipt.loanId !== t.loanId || receipt.agreementId !== t.agreement.id) return true;
  if (e.kind === "pending") return false;
  const { chainId, contracts } = e.bundle;
  return (
    chainId !== t.chainId ||
    !sameAddress(contracts.anchor, t.contracts.anchor) ||
    !sameAddress(contracts.registry, t.contracts.registry)
  );
}

/** An event's check results with their fields as paths in the timeline (`ack.signature` → `events[3].ack.signature`). */
export function inTimeline(index: number, checks: readonly CheckResult[]): CheckResult[] {
  return checks.map((c) => (c.field === undefined ? c : { ...c, field: `events[${index}].${c.field}` }));
}

/**
 * EVENTS: every event verified (each with its own checks: a receipt bundle's, or a pending event's DIGEST,
 * SIGNATURE and ACK) and every event is of this loan, agreement and deployment. An event that could not be
 * checked makes the whole check `error`; the field names the first event at fault.
 */
export function checkEvents(events: readonly TimelineEventResult[]): Outcome<EventsCode> {
  const at = (e: TimelineEventResult): string => `events[${e.index}]`;
  const unchecked = events.filter((e) => e.inconclusive);
  if (unchecked.length > 0) {
    const message = `${unchecked.length} event(s) could not be checked`;
    return { status: "error", code: "RPC_ERROR", message, field: at(unchecked[0]!) };
  }
  const foreign = events.filter((e) => e.foreign);
  if (foreign.length > 0) {
    const message = `${foreign.length} event(s) of another loan, agreement or deployment`;
    return failed("EVENT_FOREIGN", message, at(foreign[0]!));
  }
  const bad = events.filter((e) => !e.valid);
  if (bad.length > 0) {
    return failed("EVENT_INVALID", `event(s) ${bad.map((e) => e.index).join(", ")} do not verify`, at(bad[0]!));
  }
  return passed(`${events.length} event(s) verified`);
}
