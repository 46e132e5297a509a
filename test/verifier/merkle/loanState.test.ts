import { expect } from "chai";
import fc from "fast-check";
import {
  chainHead,
  keccakReady,
  loanStateInner,
  loanStateKey,
  loanStateLeaf,
  loanStateProof,
  loanStateRoot,
  processLoanStateProof,
  verifyLoanStateProof,
  type InvalidArgumentError,
} from "@repayproof/verifier";
import { oracleTree } from "./loanStateOracle";
import { LOAN_STATE_VECTORS } from "./loanStateVectors";

const V = LOAN_STATE_VECTORS;
const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => "0x" + Buffer.from(b).toString("hex"));
const entries = fc.uniqueArray(fc.record({ key: hex32, count: fc.integer({ min: 1, max: 1_000_000 }), head: hex32 }), {
  selector: (e) => e.key,
  maxLength: 40,
});

describe("verifier/merkle loan state tree", function () {
  before(async function () {
    await keccakReady();
  });

  describe("golden vectors", function () {
    it("behavior: keys are keccak256(abi.encode(agreementId, loanId))", function () {
      for (const k of V.keys) expect(loanStateKey(k.agreementId, k.loanId)).to.equal(k.key);
    });

    it("behavior: heads chain the digests from zero", function () {
      for (const h of V.heads) expect(chainHead(h.digests)).to.equal(h.head);
    });

    it("behavior: leaf and inner hashes", function () {
      expect(loanStateLeaf(V.leaf.key, V.leaf.count, V.leaf.head)).to.equal(V.leaf.hash);
      expect(loanStateInner(V.inner.left, V.inner.right)).to.equal(V.inner.hash);
    });

    for (const t of V.trees) {
      it(`behavior: ${t.name}: the root and every proof, by the reference and by the test oracle`, function () {
        const es = t.entries.map(({ key, count, head }) => ({ key, count, head }));
        expect(loanStateRoot(es)).to.equal(t.root);
        expect(oracleTree(es).root).to.equal(t.root);
        for (const e of t.entries) {
          expect(chainHead(e.digests)).to.equal(e.head);
          expect(loanStateProof(es, e.key).siblings).to.deep.equal(e.siblings);
          expect(oracleTree(es).proof(e.key)).to.deep.equal(e.siblings);
          expect(verifyLoanStateProof(t.root, { ...e })).to.equal(true);
        }
      });
    }
  });

  describe("verifyLoanStateProof", function () {
    const t = V.trees.find((x) => x.name === "twelve loans")!;
    const e = t.entries[0]!;

    it("error: a different count, head, key or sibling does not verify", function () {
      expect(verifyLoanStateProof(t.root, { ...e, count: e.count + 1 })).to.equal(false);
      expect(verifyLoanStateProof(t.root, { ...e, head: t.entries[1]!.head })).to.equal(false);
      expect(verifyLoanStateProof(t.root, { ...e, key: t.entries[1]!.key })).to.equal(false);
      const siblings = [...e.siblings];
      siblings[0] = t.entries[1]!.head;
      expect(verifyLoanStateProof(t.root, { ...e, siblings })).to.equal(false);
    });

    it("error: a proof cut short or padded with an empty sibling does not verify", function () {
      expect(verifyLoanStateProof(t.root, { ...e, siblings: e.siblings.slice(1) })).to.equal(false);
      expect(verifyLoanStateProof(t.root, { ...e, siblings: ["0x" + "00".repeat(32), ...e.siblings] })).to.equal(false);
    });

    it("error: malformed input is refused with INVALID_PROOF, and verify says false", function () {
      const bad = { ...e, siblings: ["0x12"] };
      let code: string | undefined;
      try {
        processLoanStateProof(bad);
      } catch (err) {
        code = (err as InvalidArgumentError).code;
      }
      expect(code).to.equal("INVALID_PROOF");
      expect(verifyLoanStateProof(t.root, bad)).to.equal(false);
      expect(verifyLoanStateProof(t.root, { ...e, count: 0 })).to.equal(false);
      expect(verifyLoanStateProof(t.root, { ...e, siblings: new Array(257).fill(e.head) })).to.equal(false);
    });
  });

  it("property: the reference equals the test oracle (root and every proof) on random states", function () {
    fc.assert(
      fc.property(entries, (es) => {
        const oracle = oracleTree(es);
        const root = loanStateRoot(es);
        expect(root).to.equal(oracle.root);
        for (const e of es) {
          const p = loanStateProof(es, e.key);
          expect(p.siblings).to.deep.equal(oracle.proof(e.key));
          expect(verifyLoanStateProof(root, p)).to.equal(true);
        }
      }),
      { numRuns: 100 },
    );
  });
});
