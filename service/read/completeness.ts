import { invariant, loanStateKey, type CompletenessEntry } from "@repayproof/verifier/core";
import { LoanStateTree } from "../batches/LoanStateTree";
import { ApiError } from "../errors";
import type { Store } from "../store/Store";
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

/**
 * One stream's completeness entry (DESIGN.md, "Completeness: the loan state root") for its latest sealed batch,
 * read through `reader` (ours, or a view of another instance's stream): the loan's proof in that stream's state
 * tree and the digests it sealed in anchoring order. Undefined while the stream holds no state of this loan, or
 * — `anchoredOnly` — while its latest batch is not anchored (the tree holds only the latest state, so the entry
 * can only name that batch, and a verifier finds its state root on chain once it is anchored).
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
  for (let attempt = 0; attempt < 5; attempt++) {
    const last = await store.lastBatch();
    if (last?.stateRoot === undefined) return undefined;
    // A timeline names only a state the chain already shows, so that its verifier can find the root.
    if (anchoredOnly && (last.state === "SEALED" || last.state === "SUBMITTED")) return undefined;
    const served = await tree.proof(loanStateKey(agreementId, loanId));
    if (served === undefined) return undefined;
    // A batch sealed in between changed the root: read again, so that proof and seq belong together.
    if (served.stateRoot !== last.stateRoot) continue;
    const ordered = await anchoringOrder(store, digests, last.seq);
    invariant(
      ordered.length === served.proof.count,
      `loan ${loanId} in ${identity.stream}: ${ordered.length} sealed, the state counts ${served.proof.count}`,
    );
    const { count, head, siblings } = served.proof;
    return {
      stream: identity.stream.toLowerCase(),
      seq: last.seq,
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
 * `anchoredOnly` a stream whose latest batch is not anchored yet has no entry; the timeline then leaves
 * completeness out if that stream has anchored events of the loan (read/timeline.ts), since a verifier would
 * fail COMPLETE_NO_ENTRY.
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
