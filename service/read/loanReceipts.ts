import { parseReceipt, type TimelineEvent } from "@repayproof/verifier";
import { ApiError } from "../errors";
import { isAnchored } from "./proofBundle";
import type { Store } from "../store/Store";
import type { BatchRecord, StoredReceipt } from "../store/records";
import type { Reader } from "./Reader";
import type { SealedIn, StreamReaders } from "./StreamReaders";

/**
 * A stored receipt with its digest, the reader of the stream that sealed it (ours while none has), its batch
 * there once anchored, and that anchor's block time (else null).
 */
export interface LoanReceipt {
  digest: string;
  stored: StoredReceipt;
  reader: Reader;
  batch: BatchRecord | undefined;
  anchoredAt: number | null;
}

/**
 * Anchored batches of every stream a receipt may be sealed in (any instance's, on a shared database: ./StreamReaders.ts),
 * read once per (stream, seq). Build one per request or per anchoring: an anchored batch keeps its time (a
 * reorg aside), a pending one may be anchored by the next call.
 */
export class AnchorTimes {
  private readonly bySeq = new Map<string, BatchRecord | null>();
  constructor(readonly streams: StreamReaders) {}

  /** The batch `seq` of `reader`'s stream if it is anchored (its transaction mined), else undefined. */
  async anchored(reader: Reader, seq: number): Promise<BatchRecord | undefined> {
    const key = `${reader.identity.stream.toLowerCase()}:${seq}`;
    let b = this.bySeq.get(key);
    if (b === undefined) {
      const read = await reader.store.getBatch(seq);
      b = isAnchored(read) ? read : null;
      this.bySeq.set(key, b);
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
  times: AnchorTimes,
  loanId: string,
  agreementId?: string,
): Promise<LoanReceipt[]> {
  return loadReceipts(times, await times.streams.own.store.digestsOfLoan(loanId), agreementId);
}

/**
 * The receipts `digests` (of a loan index), each with the batch of whichever stream sealed it — any instance
 * on a shared database, ours otherwise — once that batch is anchored, and its block time; only `agreementId`'s
 * when given.
 */
export async function loadReceipts(
  times: AnchorTimes,
  digests: readonly string[],
  agreementId?: string,
): Promise<LoanReceipt[]> {
  const out: LoanReceipt[] = [];
  for (let at = 0; at < digests.length; at += CHUNK) {
    const chunk = digests.slice(at, at + CHUNK);
    const recs = await times.streams.own.store.getReceipts(chunk);
    const mine: { digest: string; stored: StoredReceipt }[] = [];
    chunk.forEach((digest, i) => {
      const stored = recs[i];
      // The loan index is written in the same atomic batch as the receipt: a gap is corruption, not input.
      if (stored === undefined) throw new ApiError("INTERNAL", `the loan index names ${digest}, which is not stored`);
      if (agreementId === undefined || stored.receipt.agreementId.toLowerCase() === agreementId)
        mine.push({ digest, stored });
    });
    const sealed = await times.streams.sealedIn(mine.map((m) => m.digest));
    for (const [i, { digest, stored }] of mine.entries()) {
      const { reader, seq } = sealed[i] as SealedIn;
      const batch = seq === undefined ? undefined : await times.anchored(reader, seq);
      out.push({ digest, stored, reader, batch, anchoredAt: batch?.anchoredAt ?? null });
    }
  }
  return out;
}

/**
 * The block time of the latest anchored batch among `readers`' streams (each read once), or 0 before any: a
 * timeline judges at the latest time the chain is known to have reached in any stream it shows.
 */
export async function latestAnchoredAt(readers: Iterable<Reader>): Promise<number> {
  const seen = new Map<string, Reader>();
  for (const r of readers) seen.set(r.identity.stream, r);
  const times = await Promise.all([...seen.values()].map((r) => r.store.latestAnchoredAt()));
  return times.reduce<number>((m, t) => Math.max(m, t ?? 0), 0);
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
export async function agreementReceipts(times: AnchorTimes, agreementId: string): Promise<Map<string, LoanReceipt[]>> {
  const out = new Map<string, LoanReceipt[]>();
  for (const loanId of await times.streams.own.store.loansOfAgreement(agreementId)) {
    out.set(loanId, await loadLoanReceipts(times, loanId, agreementId));
  }
  return out;
}
