import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import type { LoanStateProofHarness } from "../../typechain-types";
import { LOAN_STATE_VECTORS } from "../verifier/merkle/loanStateVectors";
import { deployFixture } from "./helpers";

/**
 * The loan state tree on chain (docs/formats.md, "Loan state tree"): `LoanStateProof` reproduces the golden
 * vectors, and `ReceiptAnchor.verifyLoanState` accepts their proofs of real loans and refuses tampered ones.
 */

async function harnessFixture(): Promise<LoanStateProofHarness> {
  return ethers.deployContract("LoanStateProofHarness");
}

const V = LOAN_STATE_VECTORS;

describe("LoanStateProof (on chain) and the golden vectors", function () {
  for (const t of V.trees.filter((x) => x.entries.length > 0)) {
    it(`leads every proof of "${t.name}" to its root`, async function () {
      const harness = await loadFixture(harnessFixture);
      for (const e of t.entries)
        expect(await harness.processProof(e.key, e.count, e.head, e.siblings)).to.equal(t.root);
    });
  }

  it("refuses a proof longer than 256 siblings (zero root)", async function () {
    const harness = await loadFixture(harnessFixture);
    const e = V.trees.find((t) => t.name.startsWith("two keys"))!.entries[0]!;
    expect(await harness.processProof(e.key, e.count, e.head, [ethers.ZeroHash, ...e.siblings])).to.equal(
      ethers.ZeroHash,
    );
  });

  describe("ReceiptAnchor.verifyLoanState", function () {
    const t = V.trees.find((x) => x.name === "twelve loans")!;
    const loanId = (i: number): string => ethers.id(`repayproof loan-state vector loan ${i}`);

    it("accepts every loan of the golden tree by (agreementId, loanId)", async function () {
      const d = await loadFixture(deployFixture);
      for (const [i, e] of t.entries.entries()) {
        expect(await d.anchor.verifyLoanState(t.root, V.agreementId, loanId(i), e.count, e.head, e.siblings)).to.equal(
          true,
        );
      }
    });

    it("refuses another loan, count, head, root or sibling, and a zero count", async function () {
      const d = await loadFixture(deployFixture);
      const e = t.entries[0]!;
      const check = (root: string, loan: string, count: number, head: string, siblings: string[]) =>
        d.anchor.verifyLoanState(root, V.agreementId, loan, count, head, siblings);
      expect(await check(t.root, loanId(1), e.count, e.head, e.siblings)).to.equal(false);
      expect(await check(t.root, loanId(0), e.count + 1, e.head, e.siblings)).to.equal(false);
      expect(await check(t.root, loanId(0), e.count, t.entries[1]!.head, e.siblings)).to.equal(false);
      expect(await check(ethers.id("another root"), loanId(0), e.count, e.head, e.siblings)).to.equal(false);
      expect(await check(t.root, loanId(0), e.count, e.head, [ethers.id("x"), ...e.siblings.slice(1)])).to.equal(false);
      expect(await check(t.root, loanId(0), 0, e.head, e.siblings)).to.equal(false);
    });
  });
});
