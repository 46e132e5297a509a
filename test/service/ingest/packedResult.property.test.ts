import { expect } from "chai";
import fc from "fast-check";
import { packResult, unpackResult } from "../../../service/ingest/packedResult";
import type { ItemError, ItemResult, Prepared, PreprocessResult } from "../../../service/ingest/preprocess";

/**
 * The packed form a worker sends its answer in is only a transport: whatever preprocess returns, the main
 * thread gets back the same thing (errors in place, every field of every prepared item), including after
 * the structured clone a worker message goes through.
 */

const hex = (chars: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: chars, maxLength: chars }).map((s) => "0x" + s);

const prepared: fc.Arbitrary<Prepared> = fc.record({
  digest: hex(64),
  attester: hex(40),
  nonce: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(String),
  agreementId: hex(64),
  loanId: hex(64),
  kind: fc.integer({ min: 1, max: 8 }),
  occurredAt: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  ref: hex(64),
  head: fc.string({ maxLength: 900 }),
});

const itemError: fc.Arbitrary<ItemError> = fc.record({
  error: fc.record(
    {
      code: fc.constantFrom("INVALID_BODY" as const, "BAD_SIGNATURE" as const),
      message: fc.string(),
      details: fc.option(fc.record({ field: fc.string() }), { nil: undefined }),
    },
    { requiredKeys: ["code", "message"] },
  ),
});

const result: fc.Arbitrary<PreprocessResult> = fc.record({
  single: fc.boolean(),
  items: fc.array(fc.oneof({ weight: 4, arbitrary: prepared as fc.Arbitrary<ItemResult> }, itemError), {
    maxLength: 40,
  }),
});

describe("packedResult", function () {
  it("behavior: unpack(pack(r)) is r, through a structured clone too", function () {
    fc.assert(
      fc.property(result, (r) => {
        const packed = packResult(r);
        expect(packed).to.not.equal(undefined);
        expect(unpackResult(packed!)).to.deep.equal(r);
        expect(unpackResult(structuredClone(packed!))).to.deep.equal(r);
      }),
      { numRuns: 300 },
    );
  });

  it("behavior: an envelope error is not packed (it crosses as it is)", function () {
    expect(packResult({ error: { code: "INVALID_BODY", message: "the body is not valid JSON" } })).to.equal(undefined);
  });

  it("behavior: a digest of another width is not packed", function () {
    const p = fc.sample(prepared, 1)[0]!;
    expect(packResult({ single: true, items: [{ ...p, digest: "0x12" }] })).to.equal(undefined);
  });
});
