import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { keccak256 } from "ethers";
import fc from "fast-check";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import {
  buildTree,
  keccakReady,
  leafHash,
  processProof,
  referenceTree,
  verifyProof,
  type InvalidArgumentError,
} from "@repayproof/verifier";

function randomDigests(n: number): string[] {
  return Array.from({ length: n }, () => "0x" + randomBytes(32).toString("hex"));
}

/**
 * Asserts our trees (the engine and the plain reference) equal OpenZeppelin's on `digests`: root, every
 * proof, and that every proof verifies.
 */
function expectSameAsOpenZeppelin(digests: string[]): void {
  const oz = StandardMerkleTree.of(
    digests.map((d) => [d]),
    ["bytes32"],
  );
  for (const ours of [buildTree(digests), referenceTree(digests)]) {
    expect(ours.root).to.equal(oz.root);
    expect(ours.count).to.equal(digests.length);
    expect([...ours.digests].sort()).to.deep.equal(digests.map((d) => d.toLowerCase()).sort());
    for (const d of digests) {
      const proof = ours.proof(d);
      expect(proof).to.deep.equal(oz.getProof([d]));
      expect(verifyProof(ours.root, d, proof)).to.equal(true);
      expect(StandardMerkleTree.verify(oz.root, ["bytes32"], [d], proof)).to.equal(true);
    }
  }
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as InvalidArgumentError).code;
  }
  return undefined;
}

describe("verifier/merkle", function () {
  before(async function () {
    await keccakReady();
  });

  describe("buildTree", function () {
    for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 31, 33, 100, 257, 1000]) {
      it(`behavior: matches StandardMerkleTree with ${n} leaves (root and every proof)`, function () {
        expectSameAsOpenZeppelin(randomDigests(n));
      });
    }

    it("behavior: matches StandardMerkleTree on random sizes (property)", function () {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 300 }), (n) => {
          expectSameAsOpenZeppelin(randomDigests(n));
        }),
        { numRuns: 40 },
      );
    });

    it("behavior: orders leaves sharing their first four bytes like OpenZeppelin", function () {
      // The sort keys on the first four leaf bytes and breaks ties on the rest: find real 4-byte collisions
      // (a birthday search: ~1 expected per 93k digests) and build trees around them.
      const seen = new Map<number, string>();
      const colliding: string[] = [];
      while (colliding.length < 4) {
        for (const d of randomDigests(50_000)) {
          const prefix = leafHash(Buffer.from(d.slice(2), "hex")).readUInt32BE(0);
          const other = seen.get(prefix);
          if (other !== undefined) colliding.push(other, d);
          else seen.set(prefix, d);
        }
      }
      expectSameAsOpenZeppelin([...colliding, ...randomDigests(7)]);
    });

    it("behavior: accepts upper-case hex and reports digests in lower case", function () {
      const digests = randomDigests(9).map((d) => "0x" + d.slice(2).toUpperCase());
      expectSameAsOpenZeppelin(digests);
      expect(buildTree(digests).digests.every((d) => d === d.toLowerCase())).to.equal(true);
    });

    it("behavior: gives the same proof twice", function () {
      const digests = randomDigests(50);
      const tree = buildTree(digests);
      const d = digests[17] as string;
      expect(tree.proof(d)).to.deep.equal(tree.proof(d));
    });

    it("error: INVALID_TREE for no leaves", function () {
      expect(codeOf(() => buildTree([]))).to.equal("INVALID_TREE");
    });

    it("error: INVALID_TREE for a digest that is not bytes32", function () {
      const digests = randomDigests(3);
      for (const bad of [
        "0x12",
        (digests[0] as string).slice(0, 65) + "g",
        "0X" + (digests[0] as string).slice(2),
        // U+0130 and U+0161: characters whose low byte is a hex digit ("0", "a") are not hex digits.
        (digests[0] as string).slice(0, 10) + "\u0130" + (digests[0] as string).slice(11),
        (digests[0] as string).slice(0, 65) + "\u0161",
        7,
      ]) {
        expect(codeOf(() => buildTree([...digests, bad as string]))).to.equal("INVALID_TREE");
        expect(codeOf(() => referenceTree([...digests, bad as string]))).to.equal("INVALID_TREE");
      }
    });

    it("error: INVALID_TREE for a duplicate digest, whatever its case", function () {
      const digests = randomDigests(10);
      const dup = "0x" + (digests[4] as string).slice(2).toUpperCase();
      expect(codeOf(() => buildTree([...digests, dup]))).to.equal("INVALID_TREE");
      expect(codeOf(() => referenceTree([...digests, dup]))).to.equal("INVALID_TREE");
    });

    it("error: INVALID_PROOF for a digest that is not a leaf", function () {
      const tree = buildTree(randomDigests(10));
      expect(codeOf(() => tree.proof(randomDigests(1)[0] as string))).to.equal("INVALID_PROOF");
      expect(codeOf(() => tree.proof("0x1234"))).to.equal("INVALID_PROOF");
      expect(codeOf(() => tree.proof(tree.root.slice(0, 3) + "\u0130" + tree.root.slice(4)))).to.equal("INVALID_PROOF");
    });
  });

  describe("processProof / verifyProof", function () {
    it("behavior: rejects a proof for another root, digest or order", function () {
      const digests = randomDigests(20);
      const tree = buildTree(digests);
      const d = digests[3] as string;
      const proof = tree.proof(d);
      expect(verifyProof(tree.root, digests[4] as string, proof)).to.equal(false);
      expect(verifyProof(buildTree(randomDigests(20)).root, d, proof)).to.equal(false);
      expect(verifyProof(tree.root, d, [...proof].reverse())).to.equal(false);
      expect(verifyProof(tree.root.toUpperCase().replace("0X", "0x"), d, proof)).to.equal(true);
    });

    it("behavior: an empty proof leads to the leaf itself", function () {
      const d = randomDigests(1)[0] as string;
      expect(processProof(d, [])).to.equal("0x" + leafHash(Buffer.from(d.slice(2), "hex")).toString("hex"));
      expect(processProof(d, [])).to.equal(StandardMerkleTree.of([[d]], ["bytes32"]).root);
    });

    it("error: INVALID_PROOF for a proof element that is not bytes32", function () {
      const d = randomDigests(1)[0] as string;
      expect(codeOf(() => processProof(d, ["0x1234"]))).to.equal("INVALID_PROOF");
      expect(codeOf(() => processProof("0x12", ["0x1234"]))).to.equal("INVALID_PROOF");
    });
  });

  describe("leafHash", function () {
    it("behavior: equals StandardMerkleTree.leafHash for bytes32 and keccak(keccak(x)) for other lengths", function () {
      const d = randomDigests(1)[0] as string;
      const oz = StandardMerkleTree.of([[d]], ["bytes32"]);
      expect("0x" + leafHash(Buffer.from(d.slice(2), "hex")).toString("hex")).to.equal(oz.leafHash([d]));
      const short = Buffer.from("abc");
      expect("0x" + leafHash(short).toString("hex")).to.equal(keccak256(keccak256(short)));
    });
  });
});
