import type { ChainReads } from "./chainReads";
import { failed, passed, type Outcome } from "./checkLog";

/**
 * AS_OF: the time the service judged at (`evaluation.asOf`) is one the chain has reached (not after the
 * latest block's time): nobody may judge deadlines at a time the chain cannot vouch for.
 */
export async function checkAsOf(reads: ChainReads, asOf: number): Promise<Outcome<"ASOF_IN_FUTURE">> {
  let latest: number;
  try {
    latest = await reads.latestBlockTime();
  } catch (e) {
    // Reading the latest block cannot revert: any failure is the RPC's.
    const message = e instanceof Error ? e.message : String(e);
    return { status: "error", code: "RPC_ERROR", message, field: "evaluation.asOf" };
  }
  if (asOf <= latest) return passed();
  return failed("ASOF_IN_FUTURE", `asOf ${asOf} is after the latest block's time ${latest}`, "evaluation.asOf");
}
