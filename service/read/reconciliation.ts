import type { ScopedAgreement } from "../access/agreementScope";
import { agreementReceipts } from "./loanReceipts";
import { reconcile, utcDate, withoutVoided, type Float, type DayAmounts } from "./reconcile";
import type { Reader } from "./Reader";

export interface ReconciliationAnswer {
  agreementId: string;
  from: string;
  to: string;
  asOf: number;
  collector: string | null;
  forwardSecs: number | null;
  loans: number;
  receipts: number;
  pending: number;
  days: DayAmounts[];
  float: (Float & { overdue: boolean })[];
}

/**
 * A funder's reconciliation of one agreement over UTC days [from, to] (docs/api.md, "Reconciliation"): the
 * agreement's receipts (voids removed) summed per day and currency by `reconcile`, and the collector's float
 * now, flagged overdue past the latest version's forwarding allowance.
 */
export async function reconciliation(
  reader: Reader,
  { agreementId, versions }: ScopedAgreement,
  from: number,
  to: number,
  now: number,
): Promise<ReconciliationAnswer> {
  const loans = await agreementReceipts(reader.store, agreementId);
  const all = [...loans.values()].flat();
  const counted = withoutVoided(all.map((x) => ({ digest: x.digest, receipt: x.stored.receipt })));
  const { days, float } = reconcile(counted, from, to, now);
  const latest = versions[versions.length - 1];
  const forwardSecs = latest?.terms.forwardSecs ?? null;
  return {
    agreementId,
    from: utcDate(from),
    to: utcDate(to),
    asOf: now,
    collector: latest?.terms.collector ?? null,
    forwardSecs,
    loans: loans.size,
    receipts: all.length,
    pending: all.filter((x) => x.anchoredAt === null).length,
    days,
    float: float.map((f) => ({ ...f, overdue: f.ageSecs !== null && f.ageSecs > (forwardSecs ?? 0) })),
  };
}
