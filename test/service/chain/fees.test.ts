import { expect } from "chai";
import { FeeData } from "ethers";
import { FeeCapError, pickFees } from "../../../service/chain/fees";
import type { SentTx } from "../../../service/store/records";

const GWEI = 1_000_000_000n;
const CAP = 10n * GWEI;
const eip1559 = (maxFee: bigint, tip: bigint): FeeData => new FeeData(null, maxFee, tip);
const legacy = (gasPrice: bigint): FeeData => new FeeData(gasPrice, null, null);
const prev = (fields: Partial<SentTx>): SentTx => ({ hash: "0x", nonce: 0, raw: "0x", sentAt: 0, ...fields });
const capped = (fn: () => unknown): FeeCapError => {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(FeeCapError);
    return e as FeeCapError;
  }
  throw new Error("expected a FeeCapError");
};

describe("pickFees", function () {
  it("behavior: bids the market's fees when they are under the cap", function () {
    expect(pickFees(eip1559(3n * GWEI, GWEI), GWEI, CAP)).to.deep.equal({
      type: 2,
      maxFeePerGas: 3n * GWEI,
      maxPriorityFeePerGas: GWEI,
    });
  });

  it("behavior: clamps a market fee above the cap to the cap while the base fee is under it", function () {
    const fees = pickFees(eip1559(30n * GWEI, 20n * GWEI), 4n * GWEI, CAP);
    expect(fees).to.deep.equal({ type: 2, maxFeePerGas: CAP, maxPriorityFeePerGas: CAP });
  });

  it("error: FEE_CAPPED, nothing to sign, when the base fee itself is above the cap", function () {
    const e = capped(() => pickFees(eip1559(101n * GWEI, GWEI), 50n * GWEI, CAP));
    expect(e.code).to.equal("FEE_CAPPED");
    expect(e.details).to.deep.equal({
      wantedWei: String(101n * GWEI),
      capWei: String(CAP),
      baseFeeWei: String(50n * GWEI),
    });
  });

  it("behavior: a replacement bids +25% over its predecessor, up to the cap", function () {
    const old = prev({ maxFeePerGas: String(4n * GWEI), maxPriorityFeePerGas: String(GWEI) });
    const fees = pickFees(eip1559(3n * GWEI, GWEI), GWEI, CAP, old);
    expect(fees).to.deep.equal({
      type: 2,
      maxFeePerGas: 5n * GWEI + 1n,
      maxPriorityFeePerGas: (GWEI * 125n) / 100n + 1n,
    });
    const near = prev({ maxFeePerGas: String(9n * GWEI), maxPriorityFeePerGas: String(GWEI) });
    expect(pickFees(eip1559(3n * GWEI, GWEI), GWEI, CAP, near)).to.include({ maxFeePerGas: CAP });
  });

  it("error: FEE_CAPPED when the cap leaves a replacement no +10% over its predecessor", function () {
    const atCap = prev({ maxFeePerGas: String(CAP), maxPriorityFeePerGas: String(GWEI) });
    capped(() => pickFees(eip1559(3n * GWEI, GWEI), GWEI, CAP, atCap));
    capped(() => pickFees(legacy(3n * GWEI), undefined, CAP, prev({ gasPrice: String(CAP) })));
  });

  it("behavior: legacy gas prices are bumped and clamped the same way", function () {
    expect(pickFees(legacy(20n * GWEI), undefined, CAP)).to.deep.equal({ type: 0, gasPrice: CAP });
    expect(pickFees(legacy(GWEI), undefined, CAP, prev({ gasPrice: String(4n * GWEI) }))).to.deep.equal({
      type: 0,
      gasPrice: 5n * GWEI + 1n,
    });
  });
});
