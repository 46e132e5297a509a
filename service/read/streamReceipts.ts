import { ApiError } from "../errors";
import type { StoredReceipt } from "../store/records";
import { AnchorTimes, type LoanReceipt } from "./loanReceipts";
import type { Reader } from "./Reader";
import type { StreamReaders } from "./StreamReaders";

/** A loan's receipt with the reader of the stream that sealed it (ours while no stream has). */
export interface StreamReceipt extends LoanReceipt {
  reader: Reader;
}

/** Records read from the store at a time (a loan's digests are bounded by TIMELINE_LIMITS, its chunks too). */
const CHUNK = 1000;

/**
 * The receipts `digests` (of a loan index), each with the batch of whichever stream sealed it — any instance
 * on a shared database, ours otherwise — once that batch is anchored, and its block time; `batch` undefined
 * while no stream has anchored it. Batches are read once per (stream, seq).
 */
export async function loadStreamReceipts(streams: StreamReaders, digests: readonly string[]): Promise<StreamReceipt[]> {
  const times = new Map<string, AnchorTimes>();
  const timesOf = (r: Reader): AnchorTimes => {
    let t = times.get(r.identity.stream);
    if (!t) times.set(r.identity.stream, (t = new AnchorTimes(r.store)));
    return t;
  };
  const out: StreamReceipt[] = [];
  for (let at = 0; at < digests.length; at += CHUNK) {
    const chunk = digests.slice(at, at + CHUNK);
    const recs = await streams.own.store.getReceipts(chunk);
    const sealed = await streams.sealedIn(chunk);
    for (const [i, digest] of chunk.entries()) {
      const stored = recs[i];
      // The loan index is written in the same atomic batch as the receipt: a gap is corruption, not input.
      if (stored === undefined) throw new ApiError("INTERNAL", `the loan index names ${digest}, which is not stored`);
      const { reader, seq } = sealed[i] as (typeof sealed)[number];
      const batch = seq === undefined ? undefined : await timesOf(reader).anchored(seq);
      out.push({ digest, stored: stored as StoredReceipt, batch, anchoredAt: batch?.anchoredAt ?? null, reader });
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
