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
 * with a small LRU shared by every request (bounded in trees and in leaves), so a burst of proof requests for
 * one batch — concurrent ones too — builds its tree once.
 */
export class BatchTrees {
  private readonly trees = new Map<number, MerkleTree>();
  private readonly building = new Map<number, Promise<MerkleTree>>();
  private leaves = 0;
  /** Trees rebuilt from disk so far (what the cache saves shows here). */
  rebuilds = 0;

  constructor(
    private readonly store: Store,
    private readonly size = 16,
    /** Leaves held in all cached trees at most: a few large batches do not hold unbounded memory. */
    private readonly maxLeaves = 1 << 18,
  ) {}

  /** The tree of batch `b`: cached (least recently used goes first), or rebuilt once however many ask at once. */
  async of(b: BatchRecord): Promise<MerkleTree> {
    const cached = this.trees.get(b.seq);
    if (cached) {
      this.trees.delete(b.seq);
      this.trees.set(b.seq, cached);
      return cached;
    }
    let p = this.building.get(b.seq);
    if (!p) {
      p = this.rebuild(b).finally(() => this.building.delete(b.seq));
      this.building.set(b.seq, p);
    }
    return p;
  }

  private async rebuild(b: BatchRecord): Promise<MerkleTree> {
    const leaves = await this.store.getLeaves(b.seq);
    if (!leaves) throw new ApiError("INTERNAL", `batch ${b.seq} has no leaves on disk`);
    this.rebuilds++;
    const tree = buildTree(leaves.digests);
    if (tree.root !== b.root) throw new ApiError("INTERNAL", `batch ${b.seq}: leaves do not rebuild the root`);
    const n = leaves.digests.length;
    while (this.trees.size > 0 && (this.trees.size >= this.size || this.leaves + n > this.maxLeaves)) {
      const [seq, old] = this.trees.entries().next().value as [number, MerkleTree];
      this.trees.delete(seq);
      this.leaves -= old.count;
    }
    if (n <= this.maxLeaves) {
      this.trees.set(b.seq, tree);
      this.leaves += n;
    }
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
