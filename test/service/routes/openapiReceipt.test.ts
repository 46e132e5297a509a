import { expect } from "chai";
import { parseReceipt } from "@repayproof/verifier";
import { compileAgainstDocument } from "../../../service/openapi/documentSchemas";

// POST /v1/receipts is parsed by the verifier's parseReceipt (the format's reference), not by the document:
// the document's Receipt schema must accept exactly what the parser accepts, field by field.
const receipt = {
  agreementId: "0x" + "11".repeat(32),
  loanId: "0x" + "22".repeat(32),
  installment: 3,
  kind: 3,
  amount: "125000",
  currency: 156,
  channel: 2,
  externalRef: "0x" + "33".repeat(32),
  ref: "0x" + "00".repeat(32),
  occurredAt: 1764400000,
  nonce: "17",
  attester: "0x" + "aB".repeat(20),
};
type Field = keyof typeof receipt;
const BAD: unknown[] = [null, true, "", "x", -1, 1.5, 2 ** 53, [], {}, "0x", "0X" + "11".repeat(32), "01", "1e3"];
const EDGES: Partial<Record<Field, unknown[]>> = {
  installment: [0, 0xffffffff, 0x100000000],
  kind: [0, 1, 8, 9],
  currency: [0, 0xffff, 0x10000],
  channel: [0, 255, 256],
  occurredAt: [0, Number.MAX_SAFE_INTEGER],
  amount: ["0", "00", "1".repeat(78), "1".repeat(79), " 1"],
  nonce: ["0", "18446744073709551615", "1".repeat(21)],
  agreementId: ["0x" + "AB".repeat(32), "0x" + "ab".repeat(31), "0x" + "ab".repeat(33)],
  attester: ["0x" + "00".repeat(20), "0x" + "AB".repeat(20), "0x" + "ab".repeat(21)],
};

const accepts = (parse: () => unknown): boolean => {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
};

describe("OpenAPI Receipt schema", () => {
  const schema = compileAgainstDocument({ $ref: "#/components/schemas/Receipt" });

  it("behavior: accepts a well-formed receipt, as parseReceipt does", () => {
    expect(schema(receipt)).to.equal(true);
    expect(accepts(() => parseReceipt(receipt))).to.equal(true);
  });

  it("behavior: refuses and accepts exactly what parseReceipt does, field by field", () => {
    let cases = 0;
    for (const field of Object.keys(receipt) as Field[]) {
      for (const value of [...BAD, ...(EDGES[field] ?? [])]) {
        const r = { ...receipt, [field]: value };
        expect(schema(r), `${field} = ${JSON.stringify(value)}`).to.equal(accepts(() => parseReceipt(r)));
        cases++;
      }
      const { [field]: _gone, ...missing } = receipt;
      expect(schema(missing), `${field} missing`).to.equal(false);
      expect(accepts(() => parseReceipt(missing))).to.equal(false);
    }
    expect(schema({ ...receipt, extra: 1 })).to.equal(false);
    expect(accepts(() => parseReceipt({ ...receipt, extra: 1 }))).to.equal(false);
    expect(cases).to.be.greaterThan(150);
  });
});
