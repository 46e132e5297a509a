import type { AnchorRecord } from "../chain/chainReader";
import { failed, guard, passed, type Outcome } from "./checkLog";
import type { AnchorInfo } from "./types";

/**
 * FINALITY: the anchoring block has at least `needed` confirmations, counting its own, by the `latest` block
 * number (read early with the other reads that need only CHAIN). Returns the anchor with its confirmations.
 */
export async function checkFinality(
  latest: Promise<number>,
  record: AnchorRecord,
  needed: number,
): Promise<{ info?: AnchorInfo; outcome: Outcome<"NOT_FINAL"> }> {
  let info: AnchorInfo | undefined;
  const outcome = await guard("NOT_FINAL", "batch.root", async () => {
    const confirmations = Math.max(0, (await latest) - record.blockNumber + 1);
    info = { ...record, confirmations };
    if (confirmations >= needed) return passed(`${confirmations} confirmations`);
    return failed("NOT_FINAL", `${confirmations} confirmations, ${needed} required`, "batch.root");
  });
  return info === undefined ? { outcome } : { info, outcome };
}
