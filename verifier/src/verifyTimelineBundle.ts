import { keccakReady } from "./crypto/keccak";
import { eventReceipt, parseTimelineBundle, type TimelineBundleEvent } from "./formats/timelineBundle";
import type { TimelineEvent } from "./timeline/types";
import { readStateRootAt } from "./chain/chainReader";
import { checkAsOf } from "./checks/asOf";
import { checkComplete } from "./checks/complete";
import { checkChain } from "./checks/chain";
import { ChainReads, createVerifierCache } from "./checks/chainReads";
import { guard, skipped } from "./checks/checkLog";
import { checkEvaluation } from "./checks/evaluation";
import { checkEvents, inTimeline, isForeignEvent } from "./checks/events";
import { checkFormat } from "./checks/format";
import { checkTerms } from "./checks/terms";
import { timelineCheckLog, type TimelineEventResult, type TimelineVerifyResult } from "./checks/timelineTypes";
import { verifyPendingEvent } from "./verifyPendingEvent";
import { verifyReceiptBundle, type VerifyOptions } from "./verifyReceiptBundle";

export * from "./checks/timelineTypes";

/** Events verified at once: enough to fill JSON-RPC batches, few enough not to flood the RPC. */
const EVENTS_IN_FLIGHT = 16;

/** Runs `f` over `items` with at most `limit` in flight; results in input order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, f: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Re-verifies a `repayproof/timeline@1` bundle from the chain alone: FORMAT; CHAIN (the same check as a
 * receipt bundle's: the RPC serves its chain, trusted contracts with code, the anchor's registry); EVENTS
 * (every anchored event with {@link verifyReceiptBundle}, every pending one with the same DIGEST, SIGNATURE
 * and ACK code, sharing one chain-read cache; all of this loan and agreement); COMPLETE, when the timeline
 * carries `completeness` (checks/complete.ts: no anchored receipt of the loan left out); TERMS (the versions read from
 * the registry, compared with the bundle's copy); AS_OF (the service's judgement time is not after the
 * chain's latest block); EVALUATION (recomputed with `evaluateTimeline` from the genuine events, the
 * registry's terms and the chain's anchor times, and compared with `diffEvaluations`). Failed checks name
 * the field they failed on. Never throws, never prints.
 */
export async function verifyTimelineBundle(input: unknown, options: VerifyOptions): Promise<TimelineVerifyResult> {
  await keccakReady();
  const cache = options.cache ?? createVerifierCache();
  const reads = new ChainReads(options.provider, cache);
  const log = timelineCheckLog();
  const result = (extra: Partial<TimelineVerifyResult> = {}): TimelineVerifyResult => {
    const inconclusive = log.checks.some((c) => c.status === "error");
    return {
      valid: !inconclusive && log.checks.every((c) => c.status === "pass"),
      inconclusive,
      checks: log.checks,
      events: [],
      termsDifferences: [],
      differences: [],
      ...extra,
    };
  };

  const format = checkFormat(parseTimelineBundle, input, "MALFORMED_TIMELINE");
  log.add("FORMAT", format.outcome);
  const t = format.value;
  if (t === undefined) {
    log.skipRest();
    return result();
  }
  // Everything after reads this chain, so nothing runs against the wrong one.
  log.add("CHAIN", await checkChain(reads, t, options.contracts));
  if (!log.passed("CHAIN")) {
    log.skipRest();
    return result();
  }

  const verifyEvent = async (e: TimelineBundleEvent, index: number): Promise<TimelineEventResult> => {
    const { digest } = eventReceipt(e);
    const pending = e.kind === "pending";
    if (isForeignEvent(t, e)) {
      const none = { valid: false, counted: false, inconclusive: false, anchoredAt: null, checks: [] };
      return { index, digest, pending, foreign: true, ...none };
    }
    if (e.kind === "pending") return verifyPendingEvent(reads, t, e.pending, index);
    const r = await verifyReceiptBundle(e.json, { ...options, contracts: t.contracts, cache });
    return {
      index,
      digest,
      pending,
      foreign: false,
      valid: r.valid,
      counted: r.authentic && r.anchor !== undefined,
      inconclusive: r.inconclusive,
      anchoredAt: r.anchor?.timestamp ?? null,
      checks: inTimeline(index, r.checks),
    };
  };
  const events = await mapLimited(t.events, EVENTS_IN_FLIGHT, verifyEvent);
  log.add("EVENTS", checkEvents(events));
  if (t.completeness !== undefined) {
    // Against the genuine anchored events only, where the chain (not the bundle) says they were anchored.
    const anchored = events.flatMap((r) => {
      const e = t.events[r.index];
      if (!r.counted || e?.kind !== "anchored") return [];
      return [
        { index: r.index, digest: r.digest, stream: e.bundle.batch.stream.toLowerCase(), seq: e.bundle.batch.seq },
      ];
    });
    const entries = t.completeness;
    const stateRootAt = async (stream: string, seq: number) =>
      (await readStateRootAt(options.provider, t.contracts.anchor, stream, seq))?.stateRoot;
    const { agreement, loanId } = t;
    log.add(
      "COMPLETE",
      await guard("COMPLETE_STATE_ROOT", "completeness", () =>
        checkComplete({ agreementId: agreement.id, loanId, entries, events: anchored, stateRootAt }),
      ),
    );
  }

  // The registry's terms, never the bundle's copy: the copy is compared and any difference reported.
  const terms = await checkTerms(reads, t.contracts.registry, t.agreement);
  log.add("TERMS", terms.outcome);
  const termsDifferences = terms.differences;
  log.add("AS_OF", await checkAsOf(reads, t.asOf));

  // EVALUATION needs the registry's terms and every event checked (a failed event is simply not counted).
  const versions = terms.versions;
  if (versions === undefined || log.find("EVENTS")?.status === "error") {
    log.add("EVALUATION", skipped("DEPENDENCY_FAILED", "needs the registry's terms and every event checked"));
    return result({ events, termsDifferences, ...(versions === undefined ? {} : { versions }) });
  }
  const counted: TimelineEvent[] = events
    .filter((r) => r.counted)
    .map((r) => ({ digest: r.digest, receipt: eventReceipt(t.events[r.index]!).receipt, anchoredAt: r.anchoredAt }));
  const e = checkEvaluation({ counted, versions, asOf: t.asOf, claimed: t.evaluation });
  log.add("EVALUATION", e.outcome);
  const extra: Partial<TimelineVerifyResult> = {
    events,
    termsDifferences,
    differences: e.differences,
    now: e.now,
    versions,
  };
  return result(e.evaluation === undefined ? extra : { ...extra, evaluation: e.evaluation });
}
