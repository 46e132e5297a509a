import type { FeeData } from "ethers";
import type { SentTx } from "../store/records";

/** Fee bump for a replacement: nodes require at least +10%; take +25%. */
const BUMP_NUM = 125n;
const BUMP_DEN = 100n;
/** What a node requires of a replacement over its predecessor (geth, Hardhat): +10%. */
const MIN_BUMP_NUM = 110n;

/** The fee fields of a transaction about to be signed. */
export type Fees = { type: 2; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { type: 0; gasPrice: bigint };

/**
 * The fee our transaction would need is above the cap (MAX_FEE_GWEI): nothing was signed or sent. The anchorer
 * raises its fee alert and waits for fees to fall instead of bidding on.
 */
export class FeeCapError extends Error {
  override readonly name = "FeeCapError";
  readonly code = "FEE_CAPPED";
  constructor(
    message: string,
    readonly details: { wantedWei: string; capWei: string; baseFeeWei?: string },
  ) {
    super(message);
  }
}

export function isFeeCapError(e: unknown): e is FeeCapError {
  return e instanceof FeeCapError;
}

const bump = (v: bigint): bigint => (v * BUMP_NUM) / BUMP_DEN + 1n;
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/**
 * The fees to bid: the market's (`fees`), or for a replacement at least +25% over `replaces`, never above
 * `capWei`. Throws {@link FeeCapError} instead of bidding when the cap leaves no transaction worth sending: the
 * pending block's base fee is above the cap (it could not be mined, and a node may refuse it), or a
 * replacement capped at `capWei` would not beat its predecessor by the +10% nodes require.
 */
export function pickFees(fees: FeeData, baseFee: bigint | undefined, capWei: bigint, replaces?: SentTx): Fees {
  if (fees.maxFeePerGas !== null && fees.maxPriorityFeePerGas !== null) {
    let maxFee = fees.maxFeePerGas;
    let tip = fees.maxPriorityFeePerGas;
    const prevFee = replaces?.maxFeePerGas === undefined ? undefined : BigInt(replaces.maxFeePerGas);
    if (prevFee !== undefined && replaces?.maxPriorityFeePerGas !== undefined) {
      maxFee = max(maxFee, bump(prevFee));
      tip = max(tip, bump(BigInt(replaces.maxPriorityFeePerGas)));
    }
    if (maxFee > capWei) {
      if (baseFee !== undefined && baseFee > capWei) throw capped("the base fee", maxFee, capWei, baseFee);
      if (prevFee !== undefined && capWei * 100n < prevFee * MIN_BUMP_NUM)
        throw capped("a replacement", maxFee, capWei);
      maxFee = capWei;
    }
    return { type: 2, maxFeePerGas: maxFee, maxPriorityFeePerGas: min(tip, maxFee) };
  }
  let gasPrice = fees.gasPrice ?? 0n;
  const prev = replaces?.gasPrice === undefined ? undefined : BigInt(replaces.gasPrice);
  if (prev !== undefined) gasPrice = max(gasPrice, bump(prev));
  if (gasPrice > capWei) {
    if (prev !== undefined && capWei * 100n < prev * MIN_BUMP_NUM) throw capped("a replacement", gasPrice, capWei);
    gasPrice = capWei;
  }
  return { type: 0, gasPrice };
}

function capped(what: string, wanted: bigint, cap: bigint, baseFee?: bigint): FeeCapError {
  return new FeeCapError(`${what} needs a fee above MAX_FEE_GWEI: holding the transaction until fees fall`, {
    wantedWei: String(wanted),
    capWei: String(cap),
    ...(baseFee === undefined ? {} : { baseFeeWei: String(baseFee) }),
  });
}

/** Whether the node answered a broadcast with a refusal (a JSON-RPC error), as opposed to a transport failure. */
export function isRefusal(e: unknown): boolean {
  const o = e as { code?: unknown; error?: { message?: unknown } } | null;
  if (o === null || typeof o !== "object") return false;
  if (o.code === "INSUFFICIENT_FUNDS" || o.code === "NONCE_EXPIRED" || o.code === "REPLACEMENT_UNDERPRICED")
    return true;
  return o.code === "UNKNOWN_ERROR" && typeof o.error?.message === "string";
}

/** "nonce too low": the nonce is taken (for a rebroadcast of ours: it was mined). */
export function isNonceTaken(e: unknown): boolean {
  if ((e as { code?: unknown })?.code === "NONCE_EXPIRED") return true;
  const msg = String((e as Error)?.message ?? e).toLowerCase();
  return msg.includes("nonce too low") || (msg.includes("nonce") && msg.includes("low"));
}

/** "already known": the node has this very transaction. */
export function isAlreadyKnown(e: unknown): boolean {
  const msg = String((e as Error)?.message ?? e).toLowerCase();
  return msg.includes("already known") || msg.includes("known transaction");
}
