import type { AnchorRecord } from "../chain/chainReader";
import type { BundleBatch } from "../formats/bundle";
import { MAX_DATED_AFTER_ANCHOR_S } from "../timeline/types";
import { failed, guard, passed, type Outcome } from "./checkLog";

/** What ANCHOR fails with. */
export type AnchorCode = "NOT_ANCHORED" | "ANCHOR_MISMATCH" | "DATED_AFTER_ANCHOR";

/**
 * ANCHOR: the chain's `anchorOf(root)` (the `anchored` read, started early with the other reads that need
 * only CHAIN) exists, its stream, seq and count are the batch's, and the receipt does not claim to have
 * happened after it was anchored (beyond MAX_DATED_AFTER_ANCHOR_S of clock skew: DATED_AFTER_ANCHOR, a
 * post-dated receipt). Returns the chain's record whenever the root is anchored at all: the anchor time is
 * the chain's, never the bundle's.
 */
export async function checkAnchor(
  anchored: Promise<AnchorRecord>,
  batch: BundleBatch,
  anchor: string,
  occurredAt: number,
): Promise<{ record?: AnchorRecord; outcome: Outcome<AnchorCode> }> {
  let record: AnchorRecord | undefined;
  const outcome = await guard<AnchorCode>("NOT_ANCHORED", "batch.root", async () => {
    const a = await anchored;
    if (a.timestamp === 0)
      return failed("NOT_ANCHORED", `root ${batch.root} is not anchored in ${anchor}`, "batch.root");
    record = a;
    const wrong = (
      [
        ["stream", a.stream !== batch.stream],
        ["seq", a.seq !== batch.seq],
        ["count", a.count !== batch.count],
      ] as const
    ).filter(([, differs]) => differs);
    if (wrong.length > 0) {
      const said = wrong.map(([k]) => `${k} ${a[k]}`).join(", ");
      return failed("ANCHOR_MISMATCH", `the chain anchored this root with ${said}`, `batch.${wrong[0]![0]}`);
    }
    if (occurredAt > a.timestamp + MAX_DATED_AFTER_ANCHOR_S) {
      return failed(
        "DATED_AFTER_ANCHOR",
        `the receipt says it happened at ${occurredAt}, ${occurredAt - a.timestamp}s after its anchor at ${a.timestamp}`,
        "receipt.occurredAt",
      );
    }
    return passed(`anchored at ${a.timestamp} in block ${a.blockNumber}`);
  });
  return record === undefined ? { outcome } : { record, outcome };
}
