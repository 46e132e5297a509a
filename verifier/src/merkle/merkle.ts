/**
 * Merkle trees of receipt digests, identical to OpenZeppelin's `StandardMerkleTree.of(digests.map(d => [d]),
 * ["bytes32"])`: leaf = keccak256(keccak256(abi.encode(digest))), leaves sorted, pairs hashed sorted, the
 * same array layout (so the same root and the same proofs). Two implementations: ./referenceTree, plain and
 * short, the one to read; ./buildTree, the fast engine everything runs, held equal to it (and to
 * OpenZeppelin) by property tests.
 */
export type { MerkleTree } from "./merkleTree";
export { buildTree } from "./buildTree";
export { referenceTree, referenceProcessProof } from "./referenceTree";
export { leafHash, processProof, verifyProof } from "./verifyProof";
export {
  ZERO32,
  MAX_STATE_PROOF,
  chainHead,
  keyBit,
  loanStateInner,
  loanStateKey,
  loanStateLeaf,
  loanStateProof,
  loanStateRoot,
  nextHead,
  processLoanStateProof,
  verifyLoanStateProof,
  type LoanStateEntry,
  type LoanStateProof,
} from "./loanState";
