import { invariant, loanStateKey, type CompletenessEntry } from "@repayproof/verifier/core";
import { LoanStateTree } from "../batches/LoanStateTree";
import { ApiError } from "../errors";
import type { Store } from "../store/Store";
import type { BatchRecord } from "../store/records";
import type { Reader } from "./Reader";
import type { StreamReaders } from "./StreamReaders";

/** `digests` sealed in batches up to `lastSeq`, in anchoring order: by batch, then leaf (arrival) order. */
async function anchoringOrder(store: Store, digests: readonly string[], lastSeq: number): Promise<string[]> {
  const seqs = await store.batchSeqsOf(digests);
  const bySeq = new Map<number, string[]>();
  digests.forEach((d, i) => {
    const seq = seqs[i];
    if (seq === undefined || seq > lastSeq) return;
    bySeq.set(seq, [...(bySeq.get(seq) ?? []), d]);
  });
  const out: string[] = [];
  for (const seq of [...bySeq.keys()].sort((a, b) => a - b)) {
    const leaves = await store.getLeaves(seq);
    invariant(leaves !== undefined, `batch ${seq} has no leaves`);
    const at = new Map(leaves.digests.map((d, i) => [d, i]));
    out.push(...(bySeq.get(seq) as string[]).sort((a, b) => (at.get(a) as number) - (at.get(b) as number)));
  }
  return out;
}

/** Batches looked back through for the last anchored one: more than sealing lets wait for the chain. */
const LOOK_BACK = 8;

/** The latest batch up to `last` that the chain shows (ANCHORED or FINAL), or undefined within LOOK_BACK. */
async function lastAnchored(store: Store, last: BatchRecord): Promise<BatchRecord | undefined> {
  for (let b: BatchRecord | undefined = last, n = 0; b !== undefined && n < LOOK_BACK; n++) {
    if (b.state === "ANCHORED" || b.state === "FINAL") return b;
    b = b.seq > 0 ? await store.getBatch(b.seq - 1) : undefined;
  }
  return undefined;
}

/**
 * One stream's completeness entry (DESIGN.md, "Completeness: the loan state root") for its latest sealed batch
 * — `anchoredOnly`: its latest anchored one, proven from what later batches overwrote in the tree — read
 * through `reader` (ours, or a view of another instance's stream): the loan's proof in that stream's state
 * tree and the digests it sealed in anchoring order. Undefined while the stream holds no state of this loan,
 * or none the chain shows yet.
 */
async function entryOf(
  reader: Reader,
  agreementId: string,
  loanId: string,
  digests: readonly string[],
  anchoredOnly: boolean,
): Promise<CompletenessEntry | undefined> {
  const { store, identity } = reader;
  const tree = new LoanStateTree(store);
  let torn: number | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const last = await store.lastBatch();
    if (last?.stateRoot === undefined) return undefined;
    // A timeline names only a state the chain already shows, so that its verifier can find the root.
    const at = anchoredOnly ? await lastAnchored(store, last) : last;
    if (at?.stateRoot === undefined) return undefined;
    const served = await tree.proof(loanStateKey(agreementId, loanId), { seq: at.seq, last: last.seq });
    if (served === undefined) return undefined;
    if (served.stateRoot !== at.stateRoot) {
      // A batch sealed in between changed the nodes: read again, so that proof and seq belong together. Torn
      // twice with no batch sealed between: what later batches overwrote is not there (a store moved without
      // it): no entry, rather than a proof of another state.
      if (torn === last.seq) return undefined;
      torn = last.seq;
      continue;
    }
    const ordered = await anchoringOrder(store, digests, at.seq);
    invariant(
      ordered.length === served.proof.count,
      `loan ${loanId} in ${identity.stream}: ${ordered.length} sealed, the state counts ${served.proof.count}`,
    );
    const { count, head, siblings } = served.proof;
    return {
      stream: identity.stream.toLowerCase(),
      seq: at.seq,
      stateRoot: served.stateRoot,
      count,
      head,
      proof: siblings,
      digests: ordered,
    };
  }
  throw new ApiError("INTERNAL", "batches were sealed faster than a consistent proof could be read; retry");
}

/**
 * The loan's completeness entries, one per stream that holds its state: ours, then — several instances on one
 * database — each other stream that sealed receipts of the loan (by stream name), each from that stream's own
 * state tree and latest batch ({@link entryOf}). Empty before the loan's first receipt is sealed. With
 * `anchoredOnly` a stream with no anchored batch yet (or more than LOOK_BACK waiting) has no entry; the
 * timeline then leaves completeness out if that stream has anchored events of the loan (read/timeline.ts),
 * since a verifier would fail COMPLETE_NO_ENTRY.
 */
export async function completenessOf(
  streams: StreamReaders,
  agreementId: string,
  loanId: string,
  digests: readonly string[],
  opts: { anchoredOnly?: boolean } = {},
): Promise<CompletenessEntry[]> {
  const others = new Map<string, Reader>();
  for (const { reader, seq } of await streams.sealedIn(digests)) {
    if (seq !== undefined && reader !== streams.own) others.set(reader.identity.stream, reader);
  }
  const readers = [streams.own, ...[...others.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, r]) => r)];
  const entries: CompletenessEntry[] = [];
  for (const reader of readers) {
    const e = await entryOf(reader, agreementId, loanId, digests, opts.anchoredOnly ?? false);
    if (e) entries.push(e);
  }
  return entries;
}
