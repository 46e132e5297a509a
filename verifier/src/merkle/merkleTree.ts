/** A merkle tree of receipt digests, laid out and hashed exactly like OpenZeppelin's `StandardMerkleTree`. */
export interface MerkleTree {
  /** The root, 0x-hex. */
  readonly root: string;
  /** Number of leaves. */
  readonly count: number;
  /**
   * The proof (sibling hashes from the leaf up) of `digest`; throws INVALID_PROOF when it is not a leaf.
   * No proof leaves unchecked: until {@link check} has run, each proof's path is hashed up to a node
   * already verified (all n proofs cost n - 1 hashes in all); after it, proofs are read from the checked tree.
   */
  proof(digest: string): string[];
  /**
   * Checks every proof the tree can give against its root at once: that each digest has exactly one leaf,
   * and that every inner node is the hash of its children (n - 1 hashes again, the first call only); throws
   * an InvariantError (our bug) if not. What a batch runs before its root is anchored (STYLE.md 5); proofs
   * asked for afterwards need no hashing.
   */
  check(): void;
  /** All leaves' digests, in tree order (ascending leaf), in lower case. */
  readonly digests: readonly string[];
}
