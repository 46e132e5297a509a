import { expect } from "chai";
import fc from "fast-check";
import { getAddress } from "ethers";
import { checksumAddress, keccakReady, toHex } from "@repayproof/verifier";

/** checksumAddress (one keccak, case changed in place) is EIP-55 as ethers computes it, whatever case comes in. */
describe("checksumAddress", function () {
  before(() => keccakReady());

  it("behavior: equals ethers getAddress for any address in any case", function () {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        (bytes, upper) => {
          const lower = toHex(bytes);
          const mixed = "0x" + [...lower.slice(2)].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join("");
          expect(checksumAddress(mixed)).to.equal(getAddress(lower));
        },
      ),
      { numRuns: 500 },
    );
  });
});
