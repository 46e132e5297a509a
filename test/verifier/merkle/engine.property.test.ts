import { expect } from "chai";
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import {
  buildTree,
  keccakReady,
  leafHash,
  processProof,
  referenceProcessProof,
  referenceTree,
  toHex,
  verifyProof,
  type MerkleTree,
} from "@repayproof/verifier";

/**
 * The fast engine (`buildTree`) against the plain reference (`referenceTree`, OpenZeppelin's algorithm
 * written out) on random batches: same root, same digests in the same order, the same proof for every
 * digest, before and after `check()`; and the fast proof checks against the reference's.
 */

const digestArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b));

function randomDigests(n: number): string[] {
  return Array.from({ length: n }, () => "0x" + randomBytes(32).toString("hex"));
}

/** Asserts `fast` and `ref` give the same root, digests and proof of every digest in `asked`. */
function expectSameTree(fast: MerkleTree, ref: MerkleTree, asked: readonly string[]): void {
  expect(fast.root).to.equal(ref.root);
  expect(fast.count).to.equal(ref.count);
  expect(fast.digests).to.deep.equal(ref.digests);
  for (const d of asked) expect(fast.proof(d)).to.deep.equal(ref.proof(d));
}

/** `count` digests whose leaves all start with the same `bits` bits (found by trying random digests). */
function crowdedDigests(count: number, bits: number): string[] {
  const out: string[] = [];
  while (out.length < count) {
    const d = randomBytes(32);
    if (leafHash(d).readUInt32BE(0) >>> (32 - bits) === 0) out.push(toHex(d));
  }
  return out;
}

describe("merkle engine against the reference", function () {
  before(async function () {
    await keccakReady();
  });

  it("behavior: same root, digests and proofs as the reference on any batch (property)", function () {
    fc.assert(
      fc.property(
        fc.uniqueArray(digestArb, { minLength: 1, maxLength: 300, selector: (d) => d }),
        fc.boolean(),
        (digests, checkFirst) => {
          const fast = buildTree(digests);
          if (checkFirst) fast.check();
          expectSameTree(fast, referenceTree(digests), digests);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("behavior: same proofs in any case and any order of asking (property)", function () {
    fc.assert(
      fc.property(
        fc.uniqueArray(digestArb, { minLength: 1, maxLength: 80, selector: (d) => d }),
        fc.array(fc.tuple(fc.nat(), fc.boolean()), { minLength: 1, maxLength: 40 }),
        (digests, asks) => {
          const upper = digests.map((d, i) => (i % 3 === 0 ? "0x" + d.slice(2).toUpperCase() : d));
          const fast = buildTree(upper);
          const ref = referenceTree(upper);
          expect(fast.root).to.equal(ref.root);
          for (const [i, inUpper] of asks) {
            const d = (inUpper ? upper : digests)[i % digests.length] as string;
            expect(fast.proof(d)).to.deep.equal(ref.proof(d));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  // Hex is made 1,024 nodes per string (leaves by input index, inner nodes by position) and the top 4,096
  // positions keep their strings: cross those edges. In the largest tree, every digest near a multiple of
  // 1,024 and every 8th other one (the reference checks each proof it gives: all 16k would take long).
  for (const n of [2047, 2049, 16_386]) {
    it(`behavior: same root and proofs as the reference with ${n} leaves`, function () {
      const digests = randomDigests(n);
      const fast = buildTree(digests);
      if (n !== 2049) fast.check();
      const near = (i: number): boolean => i % 8 === 0 || (i + 2) % 1024 < 5;
      expectSameTree(fast, referenceTree(digests), n < 10_000 ? digests : digests.filter((_, i) => near(i)));
    });
  }

  it("behavior: orders leaves crowded into one bucket of the sort like OpenZeppelin", function () {
    // 512 leaves sort on their top 9 bits: 200 sharing them overflow the insertion pass's budget.
    const digests = [...crowdedDigests(200, 9), ...randomDigests(312)];
    const oz = StandardMerkleTree.of(
      digests.map((d) => [d]),
      ["bytes32"],
    );
    const fast = buildTree(digests);
    expect(fast.root).to.equal(oz.root);
    expectSameTree(fast, referenceTree(digests), digests);
    // And a few crowded leaves among many: the insertion pass alone.
    const few = [...crowdedDigests(12, 9), ...randomDigests(500)];
    expectSameTree(buildTree(few), referenceTree(few), few);
  });

  it("behavior: processProof and verifyProof agree with the reference on genuine and altered proofs (property)", function () {
    fc.assert(
      fc.property(
        fc.uniqueArray(digestArb, { minLength: 1, maxLength: 64, selector: (d) => d }),
        fc.nat(),
        fc.option(fc.tuple(fc.nat(), digestArb), { nil: undefined }),
        (digests, pick, swap) => {
          const tree = buildTree(digests);
          const d = digests[pick % digests.length] as string;
          const proof = tree.proof(d);
          if (swap && proof.length > 0) proof[swap[0] % proof.length] = swap[1];
          const root = referenceProcessProof(d, proof);
          expect(processProof(d, proof)).to.equal(root);
          expect(verifyProof(tree.root, d, proof)).to.equal(root === tree.root);
        },
      ),
      { numRuns: 200 },
    );
  });
});
