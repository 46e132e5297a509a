import { evaluateTimeline, type AgreementVersion } from "@repayproof/verifier";
import type { PendingQueue } from "../batches/PendingQueue";
import { agreementReceipts, toTimelineEvents } from "./loanReceipts";
import { floatsOf, withoutVoided } from "./reconcile";
import type { Reader } from "./Reader";
import type { ScopedAgreement } from "../access/agreementScope";

/** Most ANCHOR_OVERDUE alerts listed (the count says how many there are). */
const MAX_ANCHOR_ALERTS = 1000;

export type Alert = Record<string, unknown> & { type: "BREACH_OPEN" | "FLOAT_OVERDUE" | "ANCHOR_OVERDUE" };

export interface AlertsAnswer {
  asOf: number;
  agreements: number;
  counts: Record<Alert["type"], number>;
  alerts: Alert[];
}

/**
 * Early warnings for `scope` (docs/api.md, "Alerts"), judged at `now` (the service's clock): open breaches,
 * collector float older than the forwarding allowance, and receipts past their Ack's `anchorBy` without an
 * anchor (read from the unanchored tail only: `pending` and the sealed batches not yet mined).
 */
export async function alerts(
  reader: Reader,
  pending: PendingQueue,
  scope: readonly ScopedAgreement[],
  now: number,
  maxAnchorDelayS: number,
): Promise<AlertsAnswer> {
  const out: Alert[] = [];
  for (const { agreementId, versions } of scope)
    out.push(...(await agreementAlerts(reader, agreementId, versions, now)));
  const ids = new Set(scope.map((s) => s.agreementId));
  const overdue = await overdueAnchors(reader, pending, ids, now, maxAnchorDelayS);
  out.push(...overdue.listed);
  return {
    asOf: now,
    agreements: scope.length,
    counts: {
      BREACH_OPEN: out.filter((a) => a.type === "BREACH_OPEN").length,
      FLOAT_OVERDUE: out.filter((a) => a.type === "FLOAT_OVERDUE").length,
      ANCHOR_OVERDUE: overdue.total,
    },
    alerts: out,
  };
}

async function agreementAlerts(
  reader: Reader,
  agreementId: string,
  versions: AgreementVersion[],
  now: number,
): Promise<Alert[]> {
  const out: Alert[] = [];
  const loans = await agreementReceipts(reader.store, agreementId);
  for (const [loanId, receipts] of loans) {
    if (receipts.length === 0) continue;
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
  }
  const latest = versions[versions.length - 1] as AgreementVersion;
  const counted = withoutVoided(
    [...loans.values()].flat().map((x) => ({ digest: x.digest, receipt: x.stored.receipt })),
  );
  for (const f of floatsOf(counted, now)) {
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
