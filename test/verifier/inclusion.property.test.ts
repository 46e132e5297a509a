import { expect } from "chai";
import fc from "fast-check";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import {
  buildTree,
  keccakReady,
  toHex,
  verifyBundleOffline,
  verifyProof,
  type ReceiptBundleJson,
} from "@repayproof/verifier";
import { flipBit } from "./goldenChain";
import { readGolden } from "./fixtureFiles";

/**
 * Property tests of inclusion at the bundle level: a genuine signed receipt placed in random batches. Every
 * proof the tree gives verifies (ours and OpenZeppelin's verifier agree); any single-bit change to the root,
 * a proof element, the digest, a receipt field or the signature makes the bundle fail.
 */

const digestArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b));
const batchArb = fc.uniqueArray(digestArb, { minLength: 0, maxLength: 200, selector: (d) => d });

function inBatch(golden: ReceiptBundleJson, others: string[]): ReceiptBundleJson {
  const digests = [golden.digest, ...others.filter((d) => d !== golden.digest)];
  const tree = buildTree(digests);
  return {
    ...golden,
    batch: { ...golden.batch, root: tree.root, count: tree.count },
    proof: tree.proof(golden.digest),
  };
}

describe("inclusion properties", function () {
  let golden: ReceiptBundleJson;

  before(async function () {
    await keccakReady();
    golden = readGolden().settled!;
  });

  it("behavior: in any batch, every proof verifies with ours and with StandardMerkleTree.verify", function () {
    fc.assert(
      fc.property(
        batchArb.filter((b) => b.length > 0),
        (digests) => {
          const tree = buildTree(digests);
          const oz = StandardMerkleTree.of(
            digests.map((d) => [d]),
            ["bytes32"],
          );
          expect(tree.root).to.equal(oz.root);
          for (const d of digests) {
            const proof = tree.proof(d);
            expect(verifyProof(tree.root, d, proof)).to.equal(true);
            expect(StandardMerkleTree.verify(tree.root, ["bytes32"], [d], proof)).to.equal(true);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("behavior: a genuine receipt in any batch passes the offline checks", function () {
    fc.assert(
      fc.property(batchArb, (others) => {
        const r = verifyBundleOffline(inBatch(golden, others));
        expect(r.valid, JSON.stringify(r.checks)).to.equal(true);
      }),
      { numRuns: 200 },
    );
  });

  it("error: any single-bit change to root, proof, digest, receipt or signature fails the bundle", function () {
    const target = fc.constantFrom("root", "proof", "digest", "loanId", "externalRef", "signature");
    fc.assert(
      fc.property(
        batchArb,
        target,
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (others, what, i, byte, bit) => {
          const b = inBatch(golden, others);
          let tampered: ReceiptBundleJson;
          if (what === "root") tampered = { ...b, batch: { ...b.batch, root: flipBit(b.batch.root, byte % 32, bit) } };
          else if (what === "digest") tampered = { ...b, digest: flipBit(b.digest, byte % 32, bit) };
          else if (what === "signature") tampered = { ...b, signature: flipBit(b.signature, byte % 64, bit) };
          else if (what === "proof") {
            if (b.proof.length === 0) return; // a one-leaf batch has no proof elements to change
            const proof = [...b.proof];
            const k = i % proof.length;
            proof[k] = flipBit(proof[k]!, byte % 32, bit);
            tampered = { ...b, proof };
          } else {
            tampered = { ...b, receipt: { ...b.receipt, [what]: flipBit(b.receipt[what], byte % 32, bit) } };
          }
          const r = verifyBundleOffline(tampered);
          expect(r.valid).to.equal(false);
          const expected = { root: "INCLUSION", proof: "INCLUSION", digest: "DIGEST", signature: "SIGNATURE" }[
            what as string
          ];
          const failed = r.checks.find((c) => c.status === "fail");
          expect(failed?.check).to.equal(expected ?? "DIGEST");
        },
      ),
      { numRuns: 500 },
    );
  });
});
