import { InvalidArgumentError, invariant } from "../errors";
import { fromHex, isBytes32, toHex } from "../formats/hex";
import { keccak256 } from "../crypto/keccak";
import type { MerkleTree } from "./merkleTree";

/**
 * The plain form of the tree, written the way OpenZeppelin's `StandardMerkleTree` (`src/core.ts`) computes
 * it: Buffers, `Buffer.compare`, one array of nodes, keccak through ./keccak. Small enough to read against
 * the specification; property tests hold the fast engine (./buildTree) equal to it.
 */

/** keccak256 of the two nodes in ascending byte order. */
function hashPair(a: Buffer, b: Buffer): Buffer {
  return keccak256(Buffer.concat(Buffer.compare(a, b) <= 0 ? [a, b] : [b, a]));
}

/** The root `proof` leads to from `digest`'s leaf: OpenZeppelin's `processProof` over our leaf. */
export function referenceProcessProof(digest: string, proof: readonly string[]): string {
  let acc = keccak256(keccak256(fromHex(digest)));
  for (const p of proof) {
    if (!isBytes32(p)) throw new InvalidArgumentError("INVALID_PROOF", "proof elements must be bytes32");
    acc = hashPair(acc, fromHex(p));
  }
  return toHex(acc);
}

/** The tree of `digests` (0x-hex bytes32, distinct), plainly; same answers and errors as `buildTree`. */
export function referenceTree(digests: readonly string[]): MerkleTree {
  if (digests.length === 0) throw new InvalidArgumentError("INVALID_TREE", "a tree needs at least one leaf");
  const entries = digests.map((d, i) => {
    if (!isBytes32(d)) throw new InvalidArgumentError("INVALID_TREE", `digest ${i} is not bytes32`);
    return { digest: d.toLowerCase(), leaf: keccak256(keccak256(fromHex(d))) };
  });
  entries.sort((a, b) => Buffer.compare(a.leaf, b.leaf));
  entries.forEach((e, k) => {
    if (k > 0 && e.leaf.equals(entries[k - 1]!.leaf)) {
      throw new InvalidArgumentError("INVALID_TREE", `duplicate digest ${e.digest}`);
    }
  });
  // Node i has children 2i + 1 and 2i + 2; leaf k (ascending) sits at size - 1 - k.
  const n = entries.length;
  const tree: Buffer[] = new Array(2 * n - 1);
  entries.forEach((e, k) => (tree[2 * n - 2 - k] = e.leaf));
  for (let i = n - 2; i >= 0; i--) tree[i] = hashPair(tree[2 * i + 1]!, tree[2 * i + 2]!);
  const root = toHex(tree[0]!);
  const positionOf = new Map(entries.map((e, k) => [e.digest, 2 * n - 2 - k]));

  return {
    root,
    count: n,
    digests: entries.map((e) => e.digest),
    proof(digest: string): string[] {
      const pos = typeof digest === "string" ? positionOf.get(digest.toLowerCase()) : undefined;
      if (pos === undefined) throw new InvalidArgumentError("INVALID_PROOF", `${digest} is not a leaf of this tree`);
      const proof: string[] = [];
      for (let i = pos; i > 0; i = (i - 1) >> 1) proof.push(toHex(tree[i % 2 === 1 ? i + 1 : i - 1]!));
      invariant(referenceProcessProof(digest, proof) === root, "a proof we built does not verify");
      return proof;
    },
    check(): void {
      for (const e of entries) this.proof(e.digest);
    },
  };
}
