import { parseReceipt, type TimelineEvent } from "@repayproof/verifier";
import { ApiError } from "../errors";
import { isAnchored } from "./proofBundle";
import type { Store } from "../store/Store";
import type { BatchRecord, StoredReceipt } from "../store/records";

/** A stored receipt with its digest, its batch once anchored, and that anchor's block time (else null). */
export interface LoanReceipt {
  digest: string;
  stored: StoredReceipt;
  batch: BatchRecord | undefined;
  anchoredAt: number | null;
}

/**
 * Anchored batches, read once per seq. Build one per request or per anchoring: an anchored batch keeps its
 * time (a reorg aside), a pending one may be anchored by the next call.
 */
export class AnchorTimes {
  private readonly bySeq = new Map<number, BatchRecord | null>();
  constructor(private readonly store: Store) {}

  /** The batch `seq` if it is anchored (its transaction mined), else undefined. */
  async anchored(seq: number): Promise<BatchRecord | undefined> {
    let b = this.bySeq.get(seq);
    if (b === undefined) {
      const read = await this.store.getBatch(seq);
      b = isAnchored(read) ? read : null;
      this.bySeq.set(seq, b);
    }
    return b ?? undefined;
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
  const [recs, seqs] = await Promise.all([store.getReceipts(digests), store.batchSeqsOf(digests)]);
  const out: LoanReceipt[] = [];
  for (let i = 0; i < digests.length; i++) {
    const stored = recs[i];
    // The loan index is written in the same atomic batch as the receipt: a gap is corruption, not input.
    if (stored === undefined) throw new ApiError("INTERNAL", `the loan index names ${digests[i]}, which is not stored`);
    if (agreementId !== undefined && stored.receipt.agreementId.toLowerCase() !== agreementId) continue;
    const seq = seqs[i];
    const batch = seq === undefined ? undefined : await times.anchored(seq);
    out.push({ digest: digests[i] as string, stored, batch, anchoredAt: batch?.anchoredAt ?? null });
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

/** Every receipt of every loan of `agreementId` (a per-agreement scan of the loan index), with anchor times. */
export async function agreementReceipts(
  store: Store,
  agreementId: string,
  times = new AnchorTimes(store),
): Promise<Map<string, LoanReceipt[]>> {
  const out = new Map<string, LoanReceipt[]>();
  for (const loanId of await store.loansOfAgreement(agreementId)) {
    out.set(loanId, await loadLoanReceipts(store, loanId, times, agreementId));
  }
  return out;
}
