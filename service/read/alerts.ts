import { evaluateTimeline, KIND, type AgreementVersion, type ReceiptJson } from "@repayproof/verifier";
import type { PendingQueue } from "../batches/PendingQueue";
import { AnchorTimes, loadLoanReceipts, toTimelineEvents, type LoanReceipt } from "./loanReceipts";
import { floatsOf, withoutVoided } from "./reconcile";
import type { Reader } from "./Reader";
import { StreamReaders } from "./StreamReaders";
import type { ScopedAgreement } from "../access/agreementScope";

/** Most ANCHOR_OVERDUE alerts listed (the count says how many there are). */
const MAX_ANCHOR_ALERTS = 1000;

export type Alert = Record<string, unknown> & { type: "BREACH_OPEN" | "FLOAT_OVERDUE" | "ANCHOR_OVERDUE" };

export interface AlertsAnswer {
  asOf: number;
  agreements: number;
  /** Alerts of each type in this page (ANCHOR_OVERDUE: all of them, also those beyond the listed 1000). */
  counts: Record<Alert["type"], number>;
  alerts: Alert[];
  /** Where the next page starts (`?cursor=`), or null on the last page. */
  nextCursor: string | null;
}

/** A page: after which (agreementId, loanId) to start, and about how many alerts to list. */
export interface AlertsPage {
  cursor?: { agreementId: string; loanId: string };
  limit: number;
}

/** Most alerts a page lists (`?limit=`), and the default. */
export const MAX_ALERTS_LIMIT = 1000;
export const DEFAULT_ALERTS_LIMIT = 100;

/**
 * Early warnings for `scope` (docs/api.md, "Alerts"), judged at `now` (the service's clock): open breaches,
 * collector float older than the forwarding allowance, and receipts past their Ack's `anchorBy` without an
 * anchor (read from the unanchored tail only: `pending` and the sealed batches not yet mined).
 *
 * Paged by loan, in (agreementId, loanId) order: a page evaluates one loan at a time and stops after the loan
 * that brings it to `limit` alerts (a page holds whole loans), so memory is bounded by the page, not by the
 * store. FLOAT_OVERDUE and ANCHOR_OVERDUE are on the first page (they are per agreement, not per loan).
 */
export async function alerts(
  reader: Reader,
  pending: PendingQueue,
  scope: readonly ScopedAgreement[],
  now: number,
  maxAnchorDelayS: number,
  page: AlertsPage = { limit: DEFAULT_ALERTS_LIMIT },
): Promise<AlertsAnswer> {
  const out: Alert[] = [];
  const sorted = [...scope].sort((a, b) => (a.agreementId < b.agreementId ? -1 : 1));
  const after = page.cursor;
  let nextCursor: string | null = null;
  const times = new AnchorTimes(new StreamReaders(reader));
  scan: for (const { agreementId, versions } of sorted) {
    if (after !== undefined && agreementId < after.agreementId) continue;
    for (const loanId of await reader.store.loansOfAgreement(agreementId)) {
      if (after !== undefined && agreementId === after.agreementId && loanId <= after.loanId) continue;
      const receipts = await loadLoanReceipts(times, loanId, agreementId);
      out.push(...breaches(agreementId, loanId, receipts, versions, now));
      if (out.length >= page.limit) {
        nextCursor = `${agreementId}.${loanId}`;
        break scan;
      }
    }
  }
  let anchorTotal = 0;
  if (after === undefined) {
    for (const { agreementId, versions } of sorted)
      out.push(...(await floatAlerts(reader, agreementId, versions, now)));
    const ids = new Set(scope.map((s) => s.agreementId));
    const overdue = await overdueAnchors(reader, pending, ids, now, maxAnchorDelayS);
    out.push(...overdue.listed);
    anchorTotal = overdue.total;
  }
  return {
    asOf: now,
    agreements: scope.length,
    counts: {
      BREACH_OPEN: out.filter((a) => a.type === "BREACH_OPEN").length,
      FLOAT_OVERDUE: out.filter((a) => a.type === "FLOAT_OVERDUE").length,
      ANCHOR_OVERDUE: anchorTotal,
    },
    alerts: out,
    nextCursor,
  };
}

/** The open breaches of one loan. */
function breaches(
  agreementId: string,
  loanId: string,
  receipts: LoanReceipt[],
  versions: AgreementVersion[],
  now: number,
): Alert[] {
  const out: Alert[] = [];
  if (receipts.length === 0) return out;
  const evaluation = evaluateTimeline({ events: toTimelineEvents(receipts), versions, now });
  for (const inst of evaluation.installments) {
    for (const s of inst.stages) {
      if (!s.open) continue;
      out.push({
        type: "BREACH_OPEN",
        agreementId,
        loanId,
        installment: inst.installment,
        stage: s.stage,
        responsible: s.responsible,
        deadline: s.deadline,
        lateBySecs: s.lateBySecs,
      });
    }
  }
  return out;
}

/** Kinds that move the collector's float, and VOIDED (which can cancel one). */
const FLOAT_KINDS = new Set<number>([KIND.SETTLED, KIND.FORWARDED, KIND.REVERSED, KIND.VOIDED]);

/**
 * The agreement's overdue float. Read loan by loan, keeping only the receipts that move the float (and the
 * voids), not every record of every loan at once.
 */
async function floatAlerts(
  reader: Reader,
  agreementId: string,
  versions: AgreementVersion[],
  now: number,
): Promise<Alert[]> {
  const out: Alert[] = [];
  const moving: { digest: string; receipt: ReceiptJson }[] = [];
  const times = new AnchorTimes(new StreamReaders(reader));
  for (const loanId of await reader.store.loansOfAgreement(agreementId)) {
    for (const x of await loadLoanReceipts(times, loanId, agreementId))
      if (FLOAT_KINDS.has(x.stored.receipt.kind)) moving.push({ digest: x.digest, receipt: x.stored.receipt });
  }
  const latest = versions[versions.length - 1] as AgreementVersion;
  for (const f of floatsOf(withoutVoided(moving), now)) {
    if (f.ageSecs === null || f.ageSecs <= latest.terms.forwardSecs) continue;
    out.push({
      type: "FLOAT_OVERDUE",
      agreementId,
      collector: latest.terms.collector,
      forwardSecs: latest.terms.forwardSecs,
      ...f,
    });
  }
  return out;
}

/**
 * Receipts past their Ack's `anchorBy` and not anchored: only the unanchored tail is read (sealed batches
 * not yet mined, then the pending queue, oldest first), and reading stops at the first receipt that cannot
 * be overdue yet (accepted less than MAX_ANCHOR_DELAY_S ago).
 */
async function overdueAnchors(
  reader: Reader,
  pending: PendingQueue,
  ids: Set<string>,
  now: number,
  maxAnchorDelayS: number,
): Promise<{ listed: Alert[]; total: number }> {
  const { store } = reader;
  const listed: Alert[] = [];
  let total = 0;
  const candidates: { digest: string; acceptedAtMs: number; status: string }[] = [];
  const cutoffMs = (now - maxAnchorDelayS) * 1000;
  for (const b of await store.unfinishedBatches()) {
    if (b.state !== "SEALED" && b.state !== "SUBMITTED") continue;
    const leaves = await store.getLeaves(b.seq);
    leaves?.digests.forEach((digest, i) => {
      const at = leaves.acceptedAtMs[i] ?? 0;
      if (at < cutoffMs) candidates.push({ digest, acceptedAtMs: at, status: b.state.toLowerCase() });
    });
  }
  for await (const item of pending.items()) {
    if (item.acceptedAtMs >= cutoffMs) break;
    candidates.push({ ...item, status: "pending" });
  }
  for (let i = 0; i < candidates.length; i += 500) {
    const chunk = candidates.slice(i, i + 500);
    const values = await store.getReceipts(chunk.map((c) => c.digest));
    values.forEach((rec, j) => {
      if (rec === undefined) return;
      const agreementId = rec.receipt.agreementId.toLowerCase();
      if (!ids.has(agreementId) || rec.anchorBy >= now) return;
      total++;
      if (listed.length < MAX_ANCHOR_ALERTS) {
        listed.push({
          type: "ANCHOR_OVERDUE",
          agreementId,
          digest: chunk[j]?.digest,
          loanId: rec.receipt.loanId,
          acceptedAt: rec.acceptedAt,
          anchorBy: rec.anchorBy,
          overdueSecs: now - rec.anchorBy,
          status: chunk[j]?.status,
        });
      }
    });
  }
  return { listed, total };
}
