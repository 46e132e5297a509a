import { parseBundle } from "../formats/bundle";
import { sameAddress } from "../crypto/signature";
import { eventReceipt, parseTimelineBundle, type TimelineBundle } from "../formats/timelineBundle";
import type { TimelineVerifyResult } from "../checks/timelineTypes";
import type { VerifyResult } from "../checks/types";
import { createVerifierCache } from "../checks/chainReads";
import {
  diffEvaluations,
  evaluateTimeline,
  type Evaluation,
  type EvaluationDifference,
} from "../timeline/evaluateTimeline";
import type { TimelineEvent } from "../timeline/types";
import { verifyReceiptBundle, type VerifyOptions } from "../verifyReceiptBundle";
import { verifyTimelineBundle } from "../verifyTimelineBundle";

/** What became of one receipt bundle a party brought. */
export interface MergedBundle {
  /** Its position among the bundles given. */
  index: number;
  digest?: string;
  /**
   * `added`: genuine, of this loan, and missing from the operator's timeline (evidence of withholding);
   * `present`: genuine and already in the timeline; `foreign`: genuine but of another loan, agreement or
   * deployment; `invalid`: it does not verify; `inconclusive`: the chain could not be asked.
   */
  status: "added" | "present" | "foreign" | "invalid" | "inconclusive";
  result: VerifyResult;
}

export interface MergeResult {
  /** The operator's timeline, verified as `verify-timeline` does. */
  timeline: TimelineVerifyResult;
  bundles: MergedBundle[];
  /** Digests of genuine receipts of this loan the operator's timeline lacked. */
  withheld: string[];
  /** The timeline with the added receipts, re-evaluated (a `repayproof/timeline@1` file that re-verifies). */
  merged?: Record<string, unknown>;
  evaluation?: Evaluation;
  /** Where the operator's evaluation differs from the merged one (expected = merged). */
  differences: EvaluationDifference[];
  /** The timeline verifies, every bundle is genuine and of this loan, and none was missing from it. */
  valid: boolean;
  inconclusive: boolean;
}

const byTimeThenDigest = (a: { t: number; d: string }, b: { t: number; d: string }): number =>
  a.t - b.t || (a.d < b.d ? -1 : a.d > b.d ? 1 : 0);

/**
 * Puts receipt bundles that parties hold beside the operator's timeline of their loan: verifies the timeline
 * and each bundle from the chain alone (pinned to the timeline's deployment unless `options.contracts` pins
 * another), says which genuine receipts the timeline lacked, and re-evaluates the loan from all of them
 * under the registry's terms. Never throws; an unreadable timeline leaves nothing to merge into.
 */
export async function mergeTimeline(
  timelineJson: unknown,
  bundles: readonly unknown[],
  options: VerifyOptions,
): Promise<MergeResult> {
  const cache = options.cache ?? createVerifierCache();
  const timeline = await verifyTimelineBundle(timelineJson, { ...options, cache });
  let t: TimelineBundle;
  try {
    t = parseTimelineBundle(timelineJson);
  } catch {
    return { timeline, bundles: [], withheld: [], differences: [], valid: false, inconclusive: timeline.inconclusive };
  }
  const contracts = {
    anchor: options.contracts?.anchor ?? t.contracts.anchor,
    registry: options.contracts?.registry ?? t.contracts.registry,
  };
  const known = new Set(t.events.map((e) => eventReceipt(e).digest));
  const added: { json: unknown; event: TimelineEvent }[] = [];
  const merged: MergedBundle[] = [];
  for (const [index, json] of bundles.entries()) {
    const result = await verifyReceiptBundle(json, { ...options, contracts, cache });
    const out: MergedBundle = { index, status: "invalid", result, ...(result.digest ? { digest: result.digest } : {}) };
    merged.push(out);
    if (result.inconclusive) out.status = "inconclusive";
    if (!result.authentic || result.anchor === undefined) continue;
    const b = parseBundle(json);
    const ours =
      b.receipt.loanId === t.loanId &&
      b.receipt.agreementId === t.agreement.id &&
      b.chainId === t.chainId &&
      sameAddress(b.contracts.anchor, t.contracts.anchor);
    if (!ours) out.status = "foreign";
    else if (known.has(b.digest)) out.status = "present";
    else {
      out.status = "added";
      known.add(b.digest);
      added.push({ json, event: { digest: b.digest, receipt: b.receipt, anchoredAt: result.anchor.timestamp } });
    }
  }
  const withheld = added.map((a) => a.event.digest);
  const inconclusive = timeline.inconclusive || merged.some((m) => m.status === "inconclusive");
  const result = (extra: Partial<MergeResult>): MergeResult => {
    const valid =
      !inconclusive && timeline.valid && withheld.length === 0 && merged.every((m) => m.status === "present");
    return { timeline, bundles: merged, withheld, differences: [], valid, inconclusive, ...extra };
  };
  if (timeline.versions === undefined || timeline.events.some((e) => e.inconclusive)) return result({});
  const counted: TimelineEvent[] = timeline.events
    .filter((e) => e.counted)
    .map((e) => ({ digest: e.digest, receipt: eventReceipt(t.events[e.index]!).receipt, anchoredAt: e.anchoredAt }));
  const events = [...counted, ...added.map((a) => a.event)];
  const now = events.reduce((m, e) => Math.max(m, e.anchoredAt ?? 0), t.asOf);
  const evaluation = evaluateTimeline({ events, versions: timeline.versions, now, includePending: true });
  const served = obj(timelineJson);
  const ordered = [
    ...t.events.map((e, i) => ({
      t: eventReceipt(e).receipt.occurredAt,
      d: eventReceipt(e).digest,
      json: (served.events as unknown[])[i],
    })),
    ...added.map((a) => ({ t: a.event.receipt.occurredAt, d: a.event.digest, json: a.json })),
  ].sort(byTimeThenDigest);
  const mergedTimeline = {
    ...served,
    agreement: { id: t.agreement.id, versions: timeline.versions },
    events: ordered.map((e) => e.json),
    evaluation,
  };
  return result({ merged: mergedTimeline, evaluation, differences: diffEvaluations(evaluation, t.evaluation) });
}

const obj = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {};
