import { parseReceipt, type TimelineEvent } from "../verifier";
import type { Store } from "./store/Store";
import type { StoredReceipt } from "./store/records";

/** A stored receipt with its digest and the block time of its anchor (null until its batch is anchored). */
export interface LoanReceipt {
  digest: string;
  stored: StoredReceipt;
  anchoredAt: number | null;
}

/**
 * Anchor times of batches, read once per seq. Build one per request or per anchoring: an anchored batch
 * keeps its time (a reorg aside), a pending one may be anchored by the next call.
 */
export class AnchorTimes {
  private readonly bySeq = new Map<number, number | null>();
  constructor(private readonly store: Store) {}

  async of(seq: number): Promise<number | null> {
    let t = this.bySeq.get(seq);
    if (t === undefined) {
      const b = await this.store.getBatch(seq);
      t = b && (b.state === "ANCHORED" || b.state === "FINAL") ? (b.anchoredAt ?? null) : null;
      this.bySeq.set(seq, t);
    }
    return t;
  }
}

/** Every receipt of `loanId` held here (index `loans`), with anchor times; only `agreementId`'s when given. */
export async function loadLoanReceipts(
  store: Store,
  loanId: string,
  times: AnchorTimes,
  agreementId?: string,
): Promise<LoanReceipt[]> {
  const digests = await store.digestsOfLoan(loanId);
  if (digests.length === 0) return [];
  const [recs, seqs] = await Promise.all([store.receipts.getMany(digests), store.batchOf.getMany(digests)]);
  const out: LoanReceipt[] = [];
  for (let i = 0; i < digests.length; i++) {
    const v = recs[i];
    if (v === undefined) continue;
    const stored = JSON.parse(v) as StoredReceipt;
    if (agreementId !== undefined && stored.receipt.agreementId.toLowerCase() !== agreementId) continue;
    const seq = seqs[i];
    out.push({
      digest: digests[i] as string,
      stored,
      anchoredAt: seq === undefined ? null : await times.of(Number(seq)),
    });
  }
  return out;
}

/** The loan's receipts as `evaluateTimeline` takes them. */
export function toTimelineEvents(receipts: readonly LoanReceipt[]): TimelineEvent[] {
  return receipts.map((r) => ({
    digest: r.digest,
    receipt: parseReceipt(r.stored.receipt),
    anchoredAt: r.anchoredAt,
  }));
}
