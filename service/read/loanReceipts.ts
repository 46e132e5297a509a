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

/** Records read from the store at a time: anyone may add receipts to any loan id, under their own agreement. */
const CHUNK = 1000;

/**
 * Every receipt of `loanId` held here (index `loans`), with anchor times; only `agreementId`'s when given.
 * Read in chunks and filtered as read, so receipts other agreements put under the same loan id never sit in
 * memory all at once.
 */
export async function loadLoanReceipts(
  store: Store,
  loanId: string,
  times: AnchorTimes,
  agreementId?: string,
): Promise<LoanReceipt[]> {
  return loadReceipts(store, await store.digestsOfLoan(loanId), times, agreementId);
}

/** The receipts `digests` (of a loan index), with anchor times; only `agreementId`'s when given. */
export async function loadReceipts(
  store: Store,
  digests: readonly string[],
  times: AnchorTimes,
  agreementId?: string,
): Promise<LoanReceipt[]> {
  const out: LoanReceipt[] = [];
  for (let at = 0; at < digests.length; at += CHUNK) {
    const chunk = digests.slice(at, at + CHUNK);
    const recs = await store.getReceipts(chunk);
    const mine = chunk.filter((_, i) => {
      const stored = recs[i];
      // The loan index is written in the same atomic batch as the receipt: a gap is corruption, not input.
      if (stored === undefined) throw new ApiError("INTERNAL", `the loan index names ${chunk[i]}, which is not stored`);
      return agreementId === undefined || stored.receipt.agreementId.toLowerCase() === agreementId;
    });
    const seqs = await store.batchSeqsOf(mine);
    let j = 0;
    for (let i = 0; i < chunk.length; i++) {
      const stored = recs[i] as StoredReceipt;
      if (agreementId !== undefined && stored.receipt.agreementId.toLowerCase() !== agreementId) continue;
      const seq = seqs[j++];
      const batch = seq === undefined ? undefined : await times.anchored(seq);
      out.push({ digest: chunk[i] as string, stored, batch, anchoredAt: batch?.anchoredAt ?? null });
    }
  }
  return out;
}

/** The digests of `loanId`'s receipts per agreement (read in chunks; only each record's agreement kept). */
export async function loanDigestsByAgreement(store: Store, loanId: string): Promise<Map<string, string[]>> {
  const digests = await store.digestsOfLoan(loanId);
  const out = new Map<string, string[]>();
  for (let at = 0; at < digests.length; at += CHUNK) {
    const chunk = digests.slice(at, at + CHUNK);
    (await store.getReceipts(chunk)).forEach((r, i) => {
      if (r === undefined) throw new ApiError("INTERNAL", `the loan index names ${chunk[i]}, which is not stored`);
      const id = r.receipt.agreementId.toLowerCase();
      const list = out.get(id);
      if (list) list.push(chunk[i] as string);
      else out.set(id, [chunk[i] as string]);
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
