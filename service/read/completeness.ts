import { invariant, loanStateKey, type CompletenessEntry } from "@repayproof/verifier/core";
import { LoanStateTree } from "../batches/LoanStateTree";
import { ApiError } from "../errors";
import type { Store } from "../store/Store";
import type { BatchRecord } from "../store/records";
import type { Reader } from "./Reader";

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
 * The loan's completeness entries (DESIGN.md, "Completeness: the loan state root"): one per stream — this
 * service anchors one — for the latest sealed batch, with the loan's proof in the state tree and its digests
 * in anchoring order. Empty before the loan's first receipt is sealed. The tree holds only the latest state,
 * so the entry names the latest sealed batch; a verifier finds its state root on chain once it is anchored.
 */
export async function completenessOf(
  reader: Reader,
  agreementId: string,
  loanId: string,
  digests: readonly string[],
  opts: { anchoredOnly?: boolean } = {},
): Promise<CompletenessEntry[]> {
  const { store, identity } = reader;
  const tree = new LoanStateTree(store);
  let torn: number | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const last = await store.lastBatch();
    if (last?.stateRoot === undefined) return [];
    // A timeline names only a state the chain already shows, so that its verifier can find the root.
    const at = opts.anchoredOnly ? await lastAnchored(store, last) : last;
    if (at?.stateRoot === undefined) return [];
    const served = await tree.proof(loanStateKey(agreementId, loanId), { seq: at.seq, last: last.seq });
    if (served === undefined) return [];
    if (served.stateRoot !== at.stateRoot) {
      // A batch sealed in between changed the nodes: read again, so that proof and seq belong together. Torn
      // twice with no batch sealed between: what later batches overwrote is not there (a store moved without
      // it): no entry, rather than a proof of another state.
      if (torn === last.seq) return [];
      torn = last.seq;
      continue;
    }
    const ordered = await anchoringOrder(store, digests, at.seq);
    invariant(
      ordered.length === served.proof.count,
      `loan ${loanId}: ${ordered.length} sealed, the state counts ${served.proof.count}`,
    );
    const { count, head, siblings } = served.proof;
    return [
      {
        stream: identity.stream.toLowerCase(),
        seq: at.seq,
        stateRoot: served.stateRoot,
        count,
        head,
        proof: siblings,
        digests: ordered,
      },
    ];
  }
  throw new ApiError("INTERNAL", "batches were sealed faster than a consistent proof could be read; retry");
}
