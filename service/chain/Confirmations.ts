import type { Logger } from "pino";
import type { AnchorRecord } from "@repayproof/verifier";
import type { Metrics } from "../metrics";
import type { BatchRecord, BatchState } from "../store/records";

/** What the confirmation check needs from the anchorer. */
export interface ConfirmationsDeps {
  confirmations: number;
  headBlock(): Promise<number>;
  /** The root's anchor on chain now, undefined when none. */
  anchorOf(root: string): Promise<AnchorRecord | undefined>;
  /** The transaction that anchored `b` at `blockNumber`. */
  findTx(b: BatchRecord, blockNumber: number): Promise<string | undefined>;
  /** Moves a batch through the transition table (on disk, then in memory). */
  move(
    b: BatchRecord,
    to: BatchState,
    patch?: Partial<Omit<BatchRecord, "seq" | "root" | "count" | "state">>,
  ): Promise<BatchRecord>;
  /** The batch's receipts are unanchored again (the backlog counts them). */
  unanchored(b: BatchRecord): void;
  /** `b` is FINAL: no proof is asked for an earlier state again. Never throws. */
  final(b: BatchRecord): Promise<void>;
  metrics: Metrics;
  log: Logger;
}

/**
 * ANCHORED → FINAL once `confirmations` blocks (its own included) are on top — re-reading `anchorOf` first,
 * because a reorg before FINAL may have removed the anchor (→ SEALED: the same root is anchored again) or
 * moved it to another block or time (→ ANCHORED again with the new block, time and transaction). A batch is
 * re-read early when the head went back below its block, and all of them at once when the stream's next
 * sequence number says an anchor we hold for ANCHORED is gone (`recheckAll`).
 */
export class Confirmations {
  constructor(private readonly d: ConfirmationsDeps) {}

  /** Settles the ANCHORED batches among `batches` (seq order); true when one changed state. */
  async finalize(batches: readonly BatchRecord[]): Promise<boolean> {
    const anchored = batches.filter((b) => b.state === "ANCHORED");
    if (anchored.length === 0) return false;
    const head = await this.d.headBlock();
    let progressed = false;
    for (const b of anchored) {
      const depth = head - (b.blockNumber ?? head) + 1;
      if (depth >= 1 && depth < this.d.confirmations) continue;
      progressed = (await this.settle(b, depth >= this.d.confirmations)) || progressed;
    }
    return progressed;
  }

  /** Re-reads every ANCHORED batch's anchor now, whatever its depth; true when one was removed or moved. */
  async recheckAll(batches: readonly BatchRecord[]): Promise<boolean> {
    let changed = false;
    for (const b of batches) if (b.state === "ANCHORED") changed = (await this.settle(b, false)) || changed;
    return changed;
  }

  private async settle(b: BatchRecord, deepEnough: boolean): Promise<boolean> {
    const a = await this.d.anchorOf(b.root);
    if (!a) {
      this.d.log.warn({ seq: b.seq, block: b.blockNumber }, "reorg removed our anchor; anchoring the same root again");
      this.d.metrics.reorgedBatches.inc();
      await this.d.move(b, "SEALED");
      this.d.unanchored(b);
      return true;
    }
    if (a.blockNumber !== b.blockNumber || a.timestamp !== b.anchoredAt) {
      const txHash = (await this.d.findTx(b, a.blockNumber)) ?? b.txHash;
      this.d.log.warn({ seq: b.seq, from: b.blockNumber, to: a.blockNumber, tx: txHash }, "reorg moved our anchor");
      this.d.metrics.reorgedBatches.inc();
      await this.d.move(b, "ANCHORED", {
        blockNumber: a.blockNumber,
        anchoredAt: a.timestamp,
        ...(txHash === undefined ? {} : { txHash }),
      });
      return true;
    }
    if (!deepEnough) return false;
    await this.d.final(await this.d.move(b, "FINAL"));
    return true;
  }
}
