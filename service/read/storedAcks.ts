import { buildTree, type Ack, type MerkleTree } from "@repayproof/verifier/core";
import { ApiError } from "../errors";
import type { Store } from "../store/Store";
import type { StoredReceipt } from "../store/records";

/**
 * The Ack of a stored receipt as the API serves it: a single Ack as stored, or its share of a batch Ack —
 * the group's signature and this digest's proof to the group's root, rebuilt from the group's digests
 * (checked against the signed root) and kept in a small LRU, since a request's receipts are read together.
 */
export class StoredAcks {
  private readonly trees = new Map<
    string,
    { tree: MerkleTree; acceptedAt: number; anchorBy: number; signature: string }
  >();

  constructor(
    private readonly store: Store,
    private readonly size = 32,
  ) {}

  async ackOf(digest: string, rec: StoredReceipt): Promise<Ack> {
    const base = { acceptedAt: rec.acceptedAt, anchorBy: rec.anchorBy };
    if (rec.ackSignature !== undefined) return { ...base, signature: rec.ackSignature };
    if (rec.ackRoot === undefined) throw new ApiError("INTERNAL", `receipt ${digest} has no Ack on record`);
    const g = await this.group(rec.ackRoot);
    return { ...base, signature: g.signature, root: rec.ackRoot, proof: g.tree.proof(digest) };
  }

  private async group(root: string): Promise<{ tree: MerkleTree; signature: string }> {
    const hit = this.trees.get(root);
    if (hit) return hit;
    const g = await this.store.getAckGroup(root);
    if (!g) throw new ApiError("INTERNAL", `the batch Ack ${root} is not on record`);
    const tree = buildTree(g.digests);
    if (tree.root !== root) throw new ApiError("INTERNAL", `the batch Ack ${root}: its digests rebuild another root`);
    if (this.trees.size >= this.size) this.trees.delete(this.trees.keys().next().value as string);
    const entry = { tree, acceptedAt: g.acceptedAt, anchorBy: g.anchorBy, signature: g.signature };
    this.trees.set(root, entry);
    return entry;
  }
}
