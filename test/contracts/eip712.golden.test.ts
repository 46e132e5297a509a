import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import {
  AGREEMENT_TYPES,
  RECEIPT_TYPES,
  RECEIPT_TYPE_STRING,
  domainSeparator,
  fromHex,
  parseReceipt,
  receiptDigest,
  receiptDomain,
  receiptStructHash,
  recoverAddress,
  registryDomain,
  toHex,
} from "@repayproof/verifier";
import receiptVectors from "../fixtures/eip712-receipt.json";
import agreementVectors from "../fixtures/eip712-agreement.json";
import { deployFixture } from "./helpers";

/**
 * The committed golden vectors (test/fixtures/eip712-*.json) pin the two signed formats. This test only
 * compares: the contracts, ethers' TypedDataEncoder and the verifier must all reproduce them. It never
 * rewrites them — a mismatch is a format break, not a fixture to refresh.
 */

type Keys = Record<string, { privateKey: string; address: string }>;

/**
 * Both contracts' runtime code placed at the vectors' fixed addresses, so the on-chain digests are taken
 * in exactly the vectors' domains whatever else this test run deployed (OpenZeppelin's EIP712 rebuilds its
 * separator from address(this) when the code runs at another address than it was deployed to).
 */
async function goldenFixture() {
  const d = await deployFixture();
  const registryAt = agreementVectors.domain.verifyingContract;
  const anchorAt = receiptVectors.domain.verifyingContract;
  const code = async (address: string): Promise<string> => ethers.provider.getCode(address);
  await network.provider.send("hardhat_setCode", [registryAt, await code(await d.registry.getAddress())]);
  await network.provider.send("hardhat_setCode", [anchorAt, await code(await d.anchor.getAddress())]);
  return {
    registry: await ethers.getContractAt("AgreementRegistry", registryAt),
    anchor: await ethers.getContractAt("ReceiptAnchor", anchorAt),
  };
}

describe("EIP-712 golden vectors", function () {
  describe("receipt (test/fixtures/eip712-receipt.json)", function () {
    const keys: Keys = receiptVectors.keys;
    const domain = receiptVectors.domain;

    it("pins the domain and the type", function () {
      expect(receiptDomain(domain.chainId, domain.verifyingContract)).to.deep.equal(domain);
      expect(domainSeparator(domain)).to.equal(receiptVectors.domainSeparator);
      expect(RECEIPT_TYPE_STRING).to.equal(receiptVectors.typeString);
      expect(ethers.id(RECEIPT_TYPE_STRING)).to.equal(receiptVectors.typeHash);
    });

    for (const v of receiptVectors.vectors) {
      it(`reproduces "${v.name}"`, async function () {
        const signer = keys[v.signer]!;
        expect(new ethers.Wallet(signer.privateKey).address).to.equal(signer.address);
        // ethers
        expect(ethers.TypedDataEncoder.hashStruct("Receipt", RECEIPT_TYPES, v.receipt)).to.equal(v.structHash);
        expect(ethers.TypedDataEncoder.hash(domain, RECEIPT_TYPES, v.receipt)).to.equal(v.digest);
        expect(await new ethers.Wallet(signer.privateKey).signTypedData(domain, RECEIPT_TYPES, v.receipt)).to.equal(
          v.signature,
        );
        // the verifier (hand-rolled digest, libsecp256k1 recovery)
        const parsed = parseReceipt(v.receipt);
        expect(toHex(receiptStructHash(parsed))).to.equal(v.structHash);
        expect(receiptDigest(parsed, receiptVectors.domainSeparator)).to.equal(v.digest);
        expect(recoverAddress(fromHex(v.digest), v.signature)).to.equal(signer.address);
        // the contract
        const { anchor } = await loadFixture(goldenFixture);
        expect(await anchor.hashReceipt(v.receipt)).to.equal(v.digest);
      });
    }
  });

  describe("agreement (test/fixtures/eip712-agreement.json)", function () {
    const keys: Keys = agreementVectors.keys;
    const domain = agreementVectors.domain;

    it("pins the domain and the types", function () {
      expect(registryDomain(domain.chainId, domain.verifyingContract)).to.deep.equal(domain);
      expect(domainSeparator(domain)).to.equal(agreementVectors.domainSeparator);
      const encoder = ethers.TypedDataEncoder.from(AGREEMENT_TYPES);
      expect(encoder.encodeType("Agreement")).to.equal(agreementVectors.typeString);
      expect(encoder.encodeType("Terms")).to.equal(agreementVectors.termsTypeString);
      expect(ethers.id(agreementVectors.typeString)).to.equal(agreementVectors.typeHash);
      expect(ethers.id(agreementVectors.termsTypeString)).to.equal(agreementVectors.termsTypeHash);
    });

    for (const v of agreementVectors.vectors) {
      it(`reproduces "${v.name}"`, async function () {
        const value = {
          agreementId: v.agreementId,
          version: v.version,
          terms: v.terms,
        };
        const signer = keys[v.signer]!;
        expect(ethers.TypedDataEncoder.hashStruct("Terms", AGREEMENT_TYPES, v.terms)).to.equal(v.termsHash);
        expect(ethers.TypedDataEncoder.hashStruct("Agreement", AGREEMENT_TYPES, value)).to.equal(v.structHash);
        expect(ethers.TypedDataEncoder.hash(domain, AGREEMENT_TYPES, value)).to.equal(v.digest);
        expect(await new ethers.Wallet(signer.privateKey).signTypedData(domain, AGREEMENT_TYPES, value)).to.equal(
          v.signature,
        );
        expect(recoverAddress(fromHex(v.digest), v.signature)).to.equal(signer.address);
        const { registry } = await loadFixture(goldenFixture);
        expect(await registry.hashAgreement(v.agreementId, v.version, v.terms)).to.equal(v.digest);
      });
    }
  });
});
