import { expect } from "chai";
import { getAddress, id, TypedDataEncoder } from "ethers";
import {
  ACCESS_TYPES,
  ACK_BATCH_TYPES,
  ACK_TYPES,
  AGREEMENT_TYPES,
  RECEIPT_TYPES,
  RECEIPT_TYPE_STRING,
  accessDigest,
  ackBatchDigest,
  ackDigest,
  domainSeparator,
  encodeType,
  receiptDomain,
  registryDomain,
  toHex,
  typeHash,
  type TypedTypes,
} from "@repayproof/verifier";

/**
 * formats/eip712.ts encodes type strings and domain separators by hand, so that worker threads and browsers
 * need not load ethers. These tests hold every type and domain RepayProof signs equal to ethers'
 * TypedDataEncoder (encodeType, hashDomain), the reference the contracts are also tested against.
 */

const TYPES: [string, TypedTypes, string][] = [
  ["Receipt", RECEIPT_TYPES, "Receipt"],
  ["Ack", ACK_TYPES, "Ack"],
  ["AckBatch", ACK_BATCH_TYPES, "AckBatch"],
  ["Access", ACCESS_TYPES, "Access"],
  ["Agreement (nested Terms)", AGREEMENT_TYPES, "Agreement"],
];

const CHAIN_IDS = [1, 10, 31337, 11155111, Number.MAX_SAFE_INTEGER, 2n ** 64n + 1n, 2n ** 256n - 1n];
const ADDRESSES = [
  "0x0000000000000000000000000000000000000000",
  "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  "0x5fbdb2315678afecb367f032d93f642f64180aa3", // lower case: no checksum to check
  "0xFFfFfFffFFfffFFfFFfFFFFFffFFFffffFfFFFfF",
  getAddress("0x" + id("an anchor").slice(-40)),
];

describe("EIP-712 encoding without ethers (formats/eip712.ts)", function () {
  for (const [label, types, primary] of TYPES) {
    it(`behavior: encodeType and typeHash of ${label} are ethers' TypedDataEncoder's`, function () {
      const encoder = TypedDataEncoder.from(types);
      expect(encoder.primaryType).to.equal(primary);
      expect(encodeType(types, primary)).to.equal(encoder.encodeType(primary));
      expect(toHex(typeHash(types, primary))).to.equal(id(encoder.encodeType(primary)));
    });
  }

  it("behavior: Agreement's type string names Terms after it, as EIP-712 orders referenced structs", function () {
    expect(encodeType(AGREEMENT_TYPES, "Agreement")).to.match(
      /^Agreement\(bytes32 agreementId,uint32 version,Terms terms\)Terms\(address platform,.*bytes32 disclosureHash\)$/,
    );
    expect(encodeType(AGREEMENT_TYPES, "Terms")).to.not.include("Agreement(");
    expect(RECEIPT_TYPE_STRING).to.equal(TypedDataEncoder.from(RECEIPT_TYPES).encodeType("Receipt"));
  });

  it("behavior: receipt and registry domain separators are ethers' hashDomain for many chain ids and addresses", function () {
    for (const chainId of CHAIN_IDS) {
      for (const address of ADDRESSES) {
        for (const domain of [receiptDomain(chainId, address), registryDomain(chainId, address)]) {
          expect(domainSeparator(domain), `${domain.name} ${chainId} ${address}`).to.equal(
            TypedDataEncoder.hashDomain(domain),
          );
        }
      }
    }
  });

  it("behavior: Ack, AckBatch and Access digests are ethers' TypedDataEncoder.hash in every domain", function () {
    for (const chainId of CHAIN_IDS.slice(0, 4)) {
      for (const address of ADDRESSES) {
        const domain = receiptDomain(chainId, address);
        const sep = domainSeparator(domain);
        const [acceptedAt, anchorBy] = [1_900_000_000, 1_900_000_060];
        const digest = id(`receipt ${chainId} ${address}`);
        expect(toHex(ackDigest(sep, digest, acceptedAt, anchorBy))).to.equal(
          TypedDataEncoder.hash(domain, ACK_TYPES, { digest, acceptedAt, anchorBy }),
        );
        const root = id(`request ${chainId} ${address}`);
        expect(toHex(ackBatchDigest(sep, root, acceptedAt, anchorBy))).to.equal(
          TypedDataEncoder.hash(domain, ACK_BATCH_TYPES, { root, acceptedAt, anchorBy }),
        );
        const party = ADDRESSES[4]!;
        expect(toHex(accessDigest(sep, party, anchorBy))).to.equal(
          TypedDataEncoder.hash(domain, ACCESS_TYPES, { party, expiresAt: anchorBy }),
        );
      }
    }
  });

  it("error: unknown types and out-of-range domains are refused", function () {
    expect(() => encodeType(RECEIPT_TYPES, "Nope")).to.throw(/unknown EIP-712 type/);
    expect(() => domainSeparator(receiptDomain(-1, ADDRESSES[1]!))).to.throw(RangeError);
    expect(() => domainSeparator(receiptDomain(2n ** 256n, ADDRESSES[1]!))).to.throw(RangeError);
    expect(() => domainSeparator(receiptDomain(1, "0x1234"))).to.throw(TypeError);
  });
});
