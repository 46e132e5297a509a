import { expect } from "chai";
import fc from "fast-check";
import { receiptToJson, type Receipt, type ReceiptJson } from "@repayproof/verifier";
import { plainReceiptRecordHead, receiptRecordHead } from "../../../service/store/records";

/**
 * The worker writes each stored record's head field by field; it must be the very string
 * JSON.stringify gives (the record is a stored format), for every receipt parseReceipt can return, and
 * fall back to JSON.stringify for anything else.
 */

const hex = (chars: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: chars, maxLength: chars }).map((s) => "0x" + s);
const u = (bits: number): fc.Arbitrary<bigint> => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });

const receipt: fc.Arbitrary<Receipt> = fc.record({
  agreementId: hex(64),
  loanId: hex(64),
  installment: fc.integer({ min: 0, max: 0xffffffff }),
  kind: fc.integer({ min: 1, max: 8 }),
  amount: u(256),
  currency: fc.integer({ min: 0, max: 0xffff }),
  channel: fc.integer({ min: 0, max: 0xff }),
  externalRef: hex(64),
  ref: hex(64),
  occurredAt: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  nonce: u(64),
  attester: hex(40).map((a) => a.replace(/[a-f]/g, (c) => (Math.random() < 0.5 ? c.toUpperCase() : c))),
});

describe("plainReceiptRecordHead", function () {
  it("behavior: equals JSON.stringify's head for every parsed receipt", function () {
    fc.assert(
      fc.property(receipt, hex(130), (r, sig) => {
        const json = receiptToJson(r);
        expect(plainReceiptRecordHead(json, sig)).to.equal(receiptRecordHead(json, sig));
        expect(JSON.parse(plainReceiptRecordHead(json, sig) + "}")).to.deep.equal({ receipt: json, signature: sig });
      }),
      { numRuns: 500 },
    );
  });

  it("behavior: anything JSON would escape goes through JSON.stringify", function () {
    fc.assert(
      fc.property(receipt, fc.string(), fc.constantFrom("loanId", "amount", "nonce", "attester"), (r, odd, field) => {
        const json = { ...receiptToJson(r), [field]: odd } as ReceiptJson;
        expect(plainReceiptRecordHead(json, odd)).to.equal(receiptRecordHead(json, odd));
      }),
      { numRuns: 300 },
    );
  });
});
