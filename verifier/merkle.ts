import { InvalidArgumentError, invariant } from "./errors";
import { fromHex, isBytes32, toHex } from "./hex";
import { keccak256 } from "./keccak";

/**
 * Merkle trees of receipt digests, identical to OpenZeppelin's `StandardMerkleTree.of(digests.map(d => [d]),
 * ["bytes32"])`: leaf = keccak256(keccak256(abi.encode(digest))), leaves sorted, pairs hashed sorted, the
 * same array layout (so the same root and the same proofs). Built over one flat buffer without ABI
 * encoding, it does the 3n - 1 keccaks and little else.
 */

/** The leaf of a digest: `keccak256(bytes.concat(keccak256(abi.encode(bytes32 digest))))`. */
export function leafHash(digest: Uint8Array): Buffer {
  return keccak256(keccak256(digest));
}

const scratch = Buffer.alloc(64);

/** Commutative pair hash: keccak256 of the two nodes, the smaller first. */
function hashPairInto(a: Buffer, b: Buffer): Buffer {
  if (Buffer.compare(a, b) <= 0) {
    a.copy(scratch, 0);
    b.copy(scratch, 32);
  } else {
    b.copy(scratch, 0);
    a.copy(scratch, 32);
  }
  return keccak256(scratch);
}

export interface MerkleTree {
  /** The root, 0x-hex. */
  readonly root: string;
  /** Number of leaves. */
  readonly count: number;
  /** The proof (sibling hashes from the leaf up) of `digest`; throws INVALID_PROOF when it is not a leaf. */
  proof(digest: string): string[];
  /** All leaves' digests, in tree order. */
  readonly digests: readonly string[];
}

/** Builds the tree of `digests` (0x-hex bytes32, distinct). */
export function buildTree(digests: readonly string[]): MerkleTree {
  const n = digests.length;
  if (n === 0) throw new InvalidArgumentError("INVALID_TREE", "a tree needs at least one leaf");
  const leaves: { leaf: Buffer; digest: string }[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const d = digests[i] as string;
    if (!isBytes32(d)) throw new InvalidArgumentError("INVALID_TREE", `digest ${i} is not bytes32`);
    leaves[i] = { leaf: leafHash(fromHex(d)), digest: d.toLowerCase() };
  }
  leaves.sort((x, y) => Buffer.compare(x.leaf, y.leaf));
  // OpenZeppelin layout: node i has children 2i+1 and 2i+2; leaf k (sorted) sits at size - 1 - k.
  const size = 2 * n - 1;
  const nodes = Buffer.alloc(size * 32);
  const node = (i: number): Buffer => nodes.subarray(i * 32, i * 32 + 32);
  for (let k = 0; k < n; k++) (leaves[k] as { leaf: Buffer }).leaf.copy(nodes, (size - 1 - k) * 32);
  for (let i = size - 1 - n; i >= 0; i--) hashPairInto(node(2 * i + 1), node(2 * i + 2)).copy(nodes, i * 32);
  const root = toHex(node(0));
  let positions: Map<string, number> | undefined;
  const ordered = leaves.map((l) => l.digest);
  for (let k = 1; k < n; k++) {
    if (ordered[k] === ordered[k - 1]) throw new InvalidArgumentError("INVALID_TREE", `duplicate digest ${ordered[k]}`);
  }

  return {
    root,
    count: n,
    digests: ordered,
    proof(digest: string): string[] {
      positions ??= new Map(ordered.map((d, k) => [d, size - 1 - k]));
      let i = positions.get(digest.toLowerCase());
      if (i === undefined) throw new InvalidArgumentError("INVALID_PROOF", `${digest} is not a leaf of this tree`);
      const proof: string[] = [];
      while (i > 0) {
        proof.push(toHex(node(i % 2 === 1 ? i + 1 : i - 1)));
        i = Math.floor((i - 1) / 2);
      }
      invariant(verifyProof(root, digest, proof), "a proof we built does not verify");
      return proof;
    },
  };
}

/** The root `proof` leads to from `digest`'s leaf (proof elements 0x-hex bytes32). */
export function processProof(digest: string, proof: readonly string[]): string {
  let acc = leafHash(fromHex(digest));
  for (const p of proof) {
    if (!isBytes32(p)) throw new InvalidArgumentError("INVALID_PROOF", "proof elements must be bytes32");
    acc = hashPairInto(acc, fromHex(p));
  }
  return toHex(acc);
}

/** Whether `proof` proves `digest` is a leaf of the tree with `root`. */
export function verifyProof(root: string, digest: string, proof: readonly string[]): boolean {
  return processProof(digest, proof).toLowerCase() === root.toLowerCase();
}
