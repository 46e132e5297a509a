import type { ScopedAgreement } from "../access/agreementScope";
import type { ReceiptJson } from "@repayproof/verifier";
import { AnchorTimes, loadLoanReceipts } from "./loanReceipts";
import { reconcile, utcDate, withoutVoided, type Float, type DayAmounts } from "./reconcile";
import type { Reader } from "./Reader";
import { StreamReaders } from "./StreamReaders";

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
  /** The first day of the next page (`?cursor=`), or null on the last page. */
  nextCursor: string | null;
}

/**
 * A funder's reconciliation of one agreement over UTC days [from, to] (docs/api.md, "Reconciliation"): the
 * agreement's receipts (voids removed) summed per day and currency by `reconcile`, and the collector's float
 * now, flagged overdue past the latest version's forwarding allowance. `days` are the page's: [from, to]
 * here is the page, `periodTo` the last day of the whole period (nextCursor is null once the page reaches it).
 * The loans are read one at a time and only each receipt's fields are kept, not every stored record at once.
 */
export async function reconciliation(
  reader: Reader,
  { agreementId, versions }: ScopedAgreement,
  from: number,
  to: number,
  now: number,
  periodTo = to,
): Promise<ReconciliationAnswer> {
  const all: { digest: string; receipt: ReceiptJson }[] = [];
  let loans = 0;
  let pending = 0;
  const times = new AnchorTimes(new StreamReaders(reader));
  for (const loanId of await reader.store.loansOfAgreement(agreementId)) {
    loans++;
    for (const x of await loadLoanReceipts(times, loanId, agreementId)) {
      all.push({ digest: x.digest, receipt: x.stored.receipt });
      if (x.anchoredAt === null) pending++;
    }
  }
  const counted = withoutVoided(all);
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
    loans,
    receipts: all.length,
    pending,
    days,
    float: float.map((f) => ({ ...f, overdue: f.ageSecs !== null && f.ageSecs > (forwardSecs ?? 0) })),
    nextCursor: to < periodTo ? utcDate(to + 86_400) : null,
  };
}
