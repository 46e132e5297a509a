import { fail } from "../formats/parseFields";
import { isBytes32 } from "../formats/hex";
import { KIND, receiptToJson } from "../formats/receipt";
import { isAuthorizedUnder, versionInForce } from "../formats/terms";
import type { AgreementVersion } from "../formats/terms";
import { evaluateInstallment } from "./evaluateInstallment";
import type { JudgedEvent } from "./evaluateInstallment";
import { MAX_DATED_AFTER_ANCHOR_S } from "./types";
import type { EvaluateTimelineParameters, Evaluation, TimelineEvent, TimelineNote } from "./types";

export * from "./types";
export { diffEvaluations } from "./diffEvaluations";
export type { EvaluationDifference } from "./diffEvaluations";

const isTime = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** Checks the input's shape and merges duplicate digests (keeping the earliest anchor). */
function mergeEvents(events: readonly TimelineEvent[]): Map<string, TimelineEvent> {
  const byDigest = new Map<string, TimelineEvent>();
  let loan: { agreementId: string; loanId: string } | undefined;
  events.forEach((e, i) => {
    if (!isBytes32(e.digest)) fail(`events[${i}].digest`, "expected 0x followed by 64 hex digits");
    if (e.anchoredAt !== null && !isTime(e.anchoredAt)) fail(`events[${i}].anchoredAt`, "expected a time or null");
    const r = e.receipt;
    loan ??= r;
    if (r.agreementId !== loan.agreementId || r.loanId !== loan.loanId) {
      fail(`events[${i}].receipt`, "every event must belong to the same agreement and loan");
    }
    const digest = e.digest.toLowerCase();
    const seen = byDigest.get(digest);
    if (seen && JSON.stringify(receiptToJson(seen.receipt)) !== JSON.stringify(receiptToJson(r))) {
      fail(`events[${i}].digest`, "the same digest is given for two different receipts");
    }
    const anchoredAt =
      seen?.anchoredAt == null
        ? e.anchoredAt
        : e.anchoredAt === null
          ? seen.anchoredAt
          : Math.min(seen.anchoredAt, e.anchoredAt);
    byDigest.set(digest, { digest, receipt: r, anchoredAt });
  });
  return byDigest;
}

/**
 * A receipt anchored more than `reportSecs` (of the version in force at its occurredAt, the same version that
 * authorizes it) after its occurredAt is backdated and judged at its anchor time; a pending one at its claim.
 */
function judgeEvent(e: TimelineEvent, versions: readonly AgreementVersion[]): JudgedEvent {
  const { reportSecs } = (versionInForce(versions, e.receipt.occurredAt) as AgreementVersion).terms;
  const backdated = e.anchoredAt !== null && e.anchoredAt - e.receipt.occurredAt > reportSecs;
  return {
    ...e,
    judgedAt: backdated ? (e.anchoredAt as number) : e.receipt.occurredAt,
    backdated,
    pending: e.anchoredAt === null,
  };
}

const byTimeThenDigest = (a: TimelineEvent, b: TimelineEvent): number =>
  a.receipt.occurredAt - b.receipt.occurredAt || (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0);

/**
 * Evaluates a loan's repayment timeline (DESIGN.md "Timeline bundle"; every rule and choice in
 * docs/timeline.md): per installment, each stage's time, deadline under the agreement version in force,
 * lateness and responsible party, open breaches at `now`, and a status. Pure and deterministic: the result
 * depends only on the arguments, never on their order, and is plain JSON (amounts as decimal strings).
 *
 * @throws InvalidArgumentError `INVALID_FIELD` for a malformed input (no versions, a bad digest or time,
 *   events of several loans, one digest for two receipts).
 */
export function evaluateTimeline(params: EvaluateTimelineParameters): Evaluation {
  const { now, includePending = true } = params;
  if (!isTime(now)) fail("now", "expected a non-negative integer time");
  if (params.versions.length === 0) fail("versions", "expected at least version 1");
  params.versions.forEach((v, i) => {
    if (!isTime(v.effectiveAt)) fail(`versions[${i}].effectiveAt`, "expected a non-negative integer time");
  });
  const versions = [...params.versions].sort((a, b) => a.version - b.version);

  const all = [...mergeEvents(params.events).values()]
    .filter((e) => includePending || e.anchoredAt !== null)
    .sort(byTimeThenDigest);

  const loanNotes: TimelineNote[] = [];
  const notesOf = new Map<number, TimelineNote[]>();
  const note = (installment: number, n: TimelineNote): void => {
    notesOf.set(installment, [...(notesOf.get(installment) ?? []), n]);
  };
  for (const e of all) if (e.receipt.kind !== KIND.VOIDED) notesOf.set(e.receipt.installment, []);

  // 0. A receipt dated after its own anchor (beyond the clocks' skew) is post-dated: it does not count.
  const dated = all.filter((e) => {
    if (e.anchoredAt === null || e.receipt.occurredAt <= e.anchoredAt + MAX_DATED_AFTER_ANCHOR_S) return true;
    const n: TimelineNote = { code: "DATED_AFTER_ANCHOR", digest: e.digest };
    if (e.receipt.kind === KIND.VOIDED) loanNotes.push(n);
    else note(e.receipt.installment, n);
    return false;
  });

  // 1. Authorization, as the registry judges it: under the version in force at the receipt's occurredAt.
  const authorized = dated.filter((e) => {
    const terms = (versionInForce(versions, e.receipt.occurredAt) as AgreementVersion).terms;
    if (isAuthorizedUnder(terms, e.receipt.attester, e.receipt.kind)) return true;
    const n: TimelineNote = { code: "NOT_AUTHORIZED", digest: e.digest };
    if (e.receipt.kind === KIND.VOIDED) loanNotes.push(n);
    else note(e.receipt.installment, n);
    return false;
  });

  // 2. Voids: a VOIDED withdraws the receipt named in `ref` when signed by that receipt's attester.
  const byDigest = new Map(authorized.map((e) => [e.digest, e]));
  const voidedBy = new Map<string, string>();
  for (const v of authorized) {
    if (v.receipt.kind !== KIND.VOIDED) continue;
    const target = byDigest.get(v.receipt.ref.toLowerCase());
    const sameAttester = target?.receipt.attester.toLowerCase() === v.receipt.attester.toLowerCase();
    if (!target || target.receipt.kind === KIND.VOIDED || !sameAttester) {
      loanNotes.push({ code: "VOID_IGNORED", digest: v.digest });
    } else if (!voidedBy.has(target.digest)) {
      voidedBy.set(target.digest, v.digest);
      note(target.receipt.installment, {
        code: "VOIDED",
        digest: target.digest,
        by: v.digest,
      });
    }
  }
  const live = authorized.filter((e) => e.receipt.kind !== KIND.VOIDED && !voidedBy.has(e.digest));

  // 3. Per installment, one currency: its first DUE's, else its first counted receipt's.
  const installments = [...notesOf.keys()]
    .sort((a, b) => a - b)
    .map((installment) => {
      const own = live.filter((e) => e.receipt.installment === installment);
      const currency = (own.find((e) => e.receipt.kind === KIND.DUE) ?? own[0])?.receipt.currency ?? null;
      const counted = own.filter((e) => {
        if (e.receipt.currency === currency) return true;
        note(installment, { code: "CURRENCY_MISMATCH", digest: e.digest });
        return false;
      });
      const judged = counted.map((e) => judgeEvent(e, versions));
      return evaluateInstallment(installment, judged, currency, notesOf.get(installment) ?? [], versions, now);
    });

  return {
    installments,
    asOf: now,
    pendingIncluded: includePending,
    notes: loanNotes,
  };
}
