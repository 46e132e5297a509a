import {
  BUNDLE_FORMAT,
  buildTree,
  bundleToJson,
  parseReceipt,
  type MerkleTree,
  type ReceiptBundleJson,
} from "@repayproof/verifier";
import type { Reader } from "./Reader";
import { ApiError } from "../errors";
import type { Store } from "../store/Store";
import type { BatchRecord, StoredReceipt } from "../store/records";

/** Whether a batch's anchoring transaction is mined (the bundle is served from then on; finality is the verifier's). */
export function isAnchored(b: BatchRecord | undefined): b is BatchRecord & { anchoredAt: number } {
  return !!b && (b.state === "ANCHORED" || b.state === "FINAL") && b.anchoredAt !== undefined;
}

/**
 * Merkle trees of anchored batches, rebuilt from the leaves on disk and checked against the stored root,
 * with a small LRU so a burst of proof requests for one batch builds its tree once.
 */
export class BatchTrees {
  private readonly trees = new Map<number, MerkleTree>();

  constructor(
    private readonly store: Store,
    private readonly size = 16,
  ) {}

  async of(b: BatchRecord): Promise<MerkleTree> {
    const cached = this.trees.get(b.seq);
    if (cached) {
      // Least recently used goes first: a hit moves to the end.
      this.trees.delete(b.seq);
      this.trees.set(b.seq, cached);
      return cached;
    }
    const leaves = await this.store.getLeaves(b.seq);
    if (!leaves) throw new ApiError("INTERNAL", `batch ${b.seq} has no leaves on disk`);
    const tree = buildTree(leaves.digests);
    if (tree.root !== b.root) throw new ApiError("INTERNAL", `batch ${b.seq}: leaves do not rebuild the root`);
    if (this.trees.size >= this.size) this.trees.delete(this.trees.keys().next().value as number);
    this.trees.set(b.seq, tree);
    return tree;
  }
}

/** The `repayproof/receipt-proof@1` bundle of an anchored receipt (DESIGN.md), in canonical JSON. */
export async function proofBundle(
  reader: Reader,
  digest: string,
  rec: StoredReceipt,
  b: BatchRecord,
): Promise<ReceiptBundleJson> {
  const { identity } = reader;
  // Both are written before the batch can be ANCHORED (the signed tx goes to disk before broadcast).
  if (b.txHash === undefined || b.blockNumber === undefined) {
    throw new ApiError("INTERNAL", `batch ${b.seq} is anchored but its transaction is not on record`);
  }
  return bundleToJson({
    format: BUNDLE_FORMAT,
    chainId: identity.chainId,
    contracts: { registry: identity.registry, anchor: identity.anchor },
    receipt: parseReceipt(rec.receipt),
    signature: rec.signature,
    digest,
    batch: {
      stream: identity.stream,
      seq: b.seq,
      root: b.root,
      count: b.count,
      txHash: b.txHash,
      blockNumber: b.blockNumber,
    },
    proof: (await reader.trees.of(b)).proof(digest),
    ack: await reader.acks.ackOf(digest, rec),
  });
}
