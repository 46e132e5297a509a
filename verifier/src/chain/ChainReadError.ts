/**
 * Why a chain read failed: the call reverted (an answer about the input: the contract it names is not what it
 * claims) or the RPC failed (no answer at all). In a module of its own, without ethers, so the checks that
 * only tell the two apart load no RPC code.
 */
export class ChainReadError extends Error {
  override readonly name = "ChainReadError";
  constructor(
    readonly kind: "revert" | "transport",
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}
