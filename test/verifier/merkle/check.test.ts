import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { buildTree, InvariantError, keccakReady, verifyProof, type MerkleTree } from "@repayproof/verifier";

/**
 * No proof leaves a tree unchecked: `check()` hashes every inner node again from its children, and until it
 * has run each `proof()` hashes its own path. To see both fail, these tests damage a built tree's nodes in
 * place, through the engine's private storage (`nodes.inner`: 8 words per inner node; `nodes.order`: the
 * input index of each leaf, in ascending leaf order).
 */

function randomDigests(n: number): string[] {
  return Array.from({ length: n }, () => "0x" + randomBytes(32).toString("hex"));
}

/** Flips one bit of inner node `i` of `tree` (position i of OpenZeppelin's layout). */
function damageInner(tree: MerkleTree, i: number): void {
  const inner = (tree as unknown as { nodes: { inner: Int32Array } }).nodes.inner;
  inner[i * 8 + 3] = (inner[i * 8 + 3] as number) ^ 1;
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("MerkleTree.check", function () {
  before(async function () {
    await keccakReady();
  });

  it("behavior: passes on a built tree, twice, and proofs after it are the proofs without it", function () {
    const digests = randomDigests(300);
    const checked = buildTree(digests);
    checked.check();
    checked.check();
    const unchecked = buildTree(digests);
    for (const d of digests) {
      const proof = checked.proof(d);
      expect(proof).to.deep.equal(unchecked.proof(d));
      expect(verifyProof(checked.root, d, proof)).to.equal(true);
    }
  });

  it("behavior: passes on a one-leaf tree (no inner node)", function () {
    const tree = buildTree(randomDigests(1));
    tree.check();
    expect(tree.proof(tree.digests[0] as string)).to.deep.equal([]);
  });

  it("error: throws an InvariantError when an inner node is not the hash of its children", function () {
    for (const i of [0, 1, 150, 298]) {
      const tree = buildTree(randomDigests(300));
      damageInner(tree, i);
      expect(errorOf(() => tree.check())).to.be.instanceOf(InvariantError);
    }
  });

  it("error: throws an InvariantError when a digest has no leaf of its own", function () {
    const tree = buildTree(randomDigests(300));
    const order = (tree as unknown as { nodes: { order: Uint32Array } }).nodes.order;
    order[5] = order[6] as number;
    expect(errorOf(() => tree.check())).to.be.instanceOf(InvariantError);
  });

  it("error: proof() without check() throws an InvariantError when its path does not hash up", function () {
    const digests = randomDigests(300);
    const tree = buildTree(digests);
    damageInner(tree, 0);
    // Every path ends at the root's children, whose hash no longer gives the root.
    expect(errorOf(() => tree.proof(digests[7] as string))).to.be.instanceOf(InvariantError);
  });
});
