import { expect } from "chai";
import { AbiCoder, id, keccak256 } from "ethers";
import { externalRefOf, loanIdOf } from "@repayproof/verifier";

describe("verifier: loan ids and external refs (docs/formats.md, Loan ids)", function () {
  const salt = id("platform salt");

  it("behavior: loanIdOf is keccak256(abi.encode(string loanRef, bytes32 salt)), as ethers encodes it", function () {
    for (const ref of ["L-1", "loan-2026-000123", "x".repeat(32), "y".repeat(33), "贷款-7", 'a,b "c"']) {
      const expected = keccak256(AbiCoder.defaultAbiCoder().encode(["string", "bytes32"], [ref, salt]));
      expect(loanIdOf(ref, salt), ref).to.equal(expected);
    }
  });

  it("behavior: golden vector", function () {
    expect(loanIdOf("L-1", "0x" + "11".repeat(32))).to.equal(
      keccak256(AbiCoder.defaultAbiCoder().encode(["string", "bytes32"], ["L-1", "0x" + "11".repeat(32)])),
    );
  });

  it("behavior: externalRefOf is keccak256 of the UTF-8 transaction id (ethers' id)", function () {
    expect(externalRefOf("tx-42")).to.equal(id("tx-42"));
  });

  it("error: refuses an empty loanRef, a bad salt and an empty transaction id", function () {
    expect(() => loanIdOf("", salt)).to.throw(TypeError);
    expect(() => loanIdOf("L-1", "0x12")).to.throw(TypeError);
    expect(() => externalRefOf("")).to.throw(TypeError);
  });
});
