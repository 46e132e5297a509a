import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import fc from "fast-check";
import { buildTree } from "@repayproof/verifier";
import type { MerkleProofHarness } from "../../typechain-types";

/**
 * The DESIGN.md leaf rule on chain: OpenZeppelin's Solidity `MerkleProof` (through the harness, with
 * leaf = keccak256(keccak256(abi.encode(digest)))) must accept the proofs of `@openzeppelin/merkle-tree`
 * and of the verifier's own tree, and refuse anything tampered with.
 */

async function harnessFixture(): Promise<MerkleProofHarness> {
  return ethers.deployContract("MerkleProofHarness");
}

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => ethers.hexlify(b));

/** `hex` with bit `bit` (0 = lowest of the last byte) flipped. */
function flipBit(hex: string, bit: number): string {
  return ethers.toBeHex(BigInt(hex) ^ (1n << BigInt(bit)), 32);
}

describe("MerkleProof (on chain) and the DESIGN.md leaf rule", function () {
  for (const [size, runs] of [
    [1, 5],
    [2, 5],
    [3, 5],
    [7, 3],
    [100, 1],
  ] as const) {
    it(`accepts every proof of a random batch of ${size} and refuses tampered ones`, async function () {
      const harness = await loadFixture(harnessFixture);
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(bytes32, { minLength: size, maxLength: size }),
          bytes32,
          fc.nat(255),
          async (digests, stranger, bit) => {
            fc.pre(!digests.includes(stranger));
            const oz = StandardMerkleTree.of(
              digests.map((d) => [d]),
              ["bytes32"],
            );
            const ours = buildTree(digests);
            expect(ours.root).to.equal(oz.root);
            for (const [i, [digest]] of oz.entries()) {
              if (digest === undefined) throw new Error("a leaf without a value");
              const proof = oz.getProof(i);
              expect(ours.proof(digest)).to.deep.equal(proof);
              expect(StandardMerkleTree.verify(oz.root, ["bytes32"], [digest], proof)).to.equal(true);
              expect(await harness.verifyDigest(proof, oz.root, digest)).to.equal(true);
            }
            // Tampering, checked on a few leaves (each is an eth_call).
            const [first] = digests;
            const proof = oz.getProof([first!]);
            if (proof.length > 0) {
              const flipped = [...proof];
              const at = bit % proof.length;
              flipped[at] = flipBit(proof[at]!, bit);
              expect(await harness.verifyDigest(flipped, oz.root, first!)).to.equal(false);
              expect(await harness.verifyDigest(proof.slice(1), oz.root, first!)).to.equal(false);
            }
            expect(await harness.verifyDigest(proof, oz.root, stranger)).to.equal(false);
            expect(await harness.verifyDigest(proof, oz.root, flipBit(first!, bit))).to.equal(false);
            expect(await harness.verifyDigest(proof, flipBit(oz.root, bit), first!)).to.equal(false);
          },
        ),
        { numRuns: runs },
      );
    });
  }

  it("does not accept the digest itself as a leaf (the leaf is double-hashed)", async function () {
    const harness = await loadFixture(harnessFixture);
    const digests = [ethers.id("a"), ethers.id("b")];
    const oz = StandardMerkleTree.of(
      digests.map((d) => [d]),
      ["bytes32"],
    );
    // A tree whose leaves are the raw digests (a single hash) must not verify under the DESIGN.md rule.
    const raw = ethers.keccak256(ethers.concat([...digests].sort()));
    expect(raw).to.not.equal(oz.root);
    expect(await harness.verifyDigest([digests[1]!], raw, digests[0]!)).to.equal(false);
    expect(await harness.verifyDigest(oz.getProof([digests[0]!]), oz.root, digests[0]!)).to.equal(true);
  });
});
