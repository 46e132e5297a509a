import type { Logger } from "pino";
import { readAnchorOf, readNextSeq, type AnchorRecord } from "@repayproof/verifier";
import type { Backlog } from "../batches/Backlog";
import type { BatchSink } from "../batches/Batcher";
import { moveBatch } from "../batches/batchState";
import type { Metrics } from "../metrics";
import type { Store } from "../store/Store";
import type { BatchRecord, BatchState } from "../store/records";
import type { AnchorTx } from "./AnchorTx";
import type { Chain } from "./Chain";
import { Confirmations } from "./Confirmations";
import { FeeAlert } from "./FeeAlert";
import { isFeeCapError } from "./fees";

const MAX_BACKOFF_MS = 10_000;
/** Sealed batches allowed to wait for the chain; beyond it receipts stay pending and later seal in full batches. */
export const MAX_WAITING_BATCHES = 2;

export interface AnchorerOptions {
  stream: string;
  confirmations: number;
  pollMs: number;
  /** Told of each batch once it is recorded ANCHORED (the live event stream). Never throws. */
  onAnchored?: (b: BatchRecord) => void;
}

/**
 * Moves sealed batches SEALED → SUBMITTED → ANCHORED → FINAL (batches/batchState.ts), one transaction in
 * flight, every state on disk before it is acted on. It trusts the chain over its own notes: a SEALED or
 * SUBMITTED batch whose root `anchorOf` already knows is marked ANCHORED (nothing is anchored twice); one
 * the chain does not know is (re)submitted, its lost transaction rebroadcast, its stuck transaction replaced
 * with the same nonce and higher fees, its dropped or refused transaction resubmitted (./AnchorTx). No fee above
 * MAX_FEE_GWEI is bid: when one is needed the batch waits and ./FeeAlert raises the alert. A reorg before FINAL
 * is survived (./Confirmations): a removed anchor is anchored again with the same root, a moved one refreshed.
 * If the stream's next sequence number shows our `seq` taken by another root (and no anchor of ours vanished),
 * anchoring halts loudly: that is a broken invariant, not something to paper over. It is the batcher's sink:
 * `room()` holds sealing back while MAX_WAITING_BATCHES batches wait for the chain.
 */
export class Anchorer implements BatchSink {
  /** Batches not yet FINAL, in seq order. */
  private batches: BatchRecord[] = [];
  private wake: (() => void) | undefined;
  private roomWaiters: (() => void)[] = [];
  private closed = false;
  private running: Promise<void> | undefined;
  private backoffMs = 0;
  /** Why anchoring stopped, when an invariant broke. */
  halted: string | undefined;
  /** Last chain error, cleared on success (for /healthz). */
  lastError: string | undefined;
  /** Raised while an anchor waits because the fee it needs is above the cap (for /healthz). */
  readonly feeAlert: FeeAlert;
  private readonly confirmations: Confirmations;

  constructor(
    private readonly chain: Chain,
    private readonly tx: AnchorTx,
    private readonly store: Store,
    private readonly backlog: Backlog,
    private readonly opts: AnchorerOptions,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {
    this.feeAlert = new FeeAlert(metrics, log);
    this.confirmations = new Confirmations({
      confirmations: opts.confirmations,
      headBlock: () => chain.provider.getBlockNumber(),
      anchorOf: (root) => this.anchorOf(root),
      findTx: (b, blockNumber) => tx.findTx(b, blockNumber),
      move: (b, to, patch) => this.move(b, to, patch),
      unanchored: (b) => backlog.readd(b.count),
      // Proofs are for the last anchored batch, never before a FINAL one: what batches up to it overwrote goes.
      final: (b) => store.dropStateUndo(b.seq).catch((err: unknown) => log.warn({ err }, "dropping state undo failed")),
      metrics,
      log,
    });
  }

  async init(): Promise<void> {
    this.batches = await this.store.unfinishedBatches();
    if (this.batches.length > 0) {
      this.log.info({ batches: this.batches.map((b) => `${b.seq}:${b.state}`) }, "resuming unfinished batches");
    }
  }

  /** Receipts of sealed batches not yet mined (the backlog's share beyond the pending queue). */
  unanchoredReceipts(): number {
    let n = 0;
    for (const b of this.batches) if (b.state === "SEALED" || b.state === "SUBMITTED") n += b.count;
    return n;
  }

  start(): void {
    this.running = this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.kick();
    for (const w of this.roomWaiters.splice(0)) w();
    await this.running;
  }

  private kick(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private waiting(): number {
    return this.batches.filter((b) => b.state === "SEALED" || b.state === "SUBMITTED").length;
  }

  room(): Promise<void> {
    if (this.closed || this.waiting() < MAX_WAITING_BATCHES) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  enqueue(batch: BatchRecord): void {
    this.batches.push(batch);
    this.kick();
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      let progressed = false;
      try {
        if (!this.halted) progressed = await this.step();
        this.backoffMs = 0;
        this.lastError = undefined;
      } catch (err) {
        if (isFeeCapError(err)) {
          // Not a chain failure: the chain answers, its fees are above our cap. Wait for them to fall.
          const held = this.batches.find((b) => b.state === "SEALED" || b.state === "SUBMITTED");
          this.feeAlert.raise(held?.seq ?? -1, err);
          await this.sleep(this.opts.pollMs);
          continue;
        }
        this.metrics.rpcErrors.inc();
        this.lastError = (err as Error)?.message ?? String(err);
        this.backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(this.opts.pollMs, this.backoffMs * 2));
        this.log.warn({ err: this.lastError, retryInMs: this.backoffMs }, "anchoring step failed; retrying");
      }
      if (this.waiting() < MAX_WAITING_BATCHES) for (const w of this.roomWaiters.splice(0)) w();
      if (!progressed || this.backoffMs > 0) await this.sleep(this.backoffMs || this.opts.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** One move of the state machine; true when something changed. */
  async step(): Promise<boolean> {
    let progressed = await this.finalize();
    const current = this.batches.find((b) => b.state === "SEALED" || b.state === "SUBMITTED");
    if (current) progressed = (await this.advance(current)) || progressed;
    return progressed;
  }

  /** Moves `b` to `to` through the transition table, on disk first, then in memory. */
  private async move(b: BatchRecord, to: BatchState, patch?: Parameters<typeof moveBatch>[2]): Promise<BatchRecord> {
    const next = moveBatch(b, to, patch);
    await this.store.write([{ type: "batch", batch: next }]);
    const i = this.batches.findIndex((x) => x.seq === b.seq);
    if (i >= 0) this.batches[i] = next;
    return next;
  }

  private async anchorOf(root: string): Promise<AnchorRecord | undefined> {
    const a = await readAnchorOf(this.chain.provider, this.chain.anchor, root);
    return a.timestamp === 0 ? undefined : a;
  }

  private async advance(b: BatchRecord): Promise<boolean> {
    const anchored = await this.anchorOf(b.root);
    if (anchored) return this.markAnchored(b, anchored);
    if (b.state === "SUBMITTED") {
      const found = await this.tx.followUp(b);
      if (found.kind === "waiting") return false;
      if (found.kind === "resubmit") {
        await this.move(b, "SEALED", found.forget ? { txs: b.txs.filter((t) => t.hash !== found.forget) } : {});
        return true;
      }
      await this.submit(b, found.tx);
      return true;
    }
    const next = await readNextSeq(this.chain.provider, this.chain.anchor, this.opts.stream);
    // Behind our seq: a reorg removed an anchor we hold for ANCHORED; anchor that batch again first.
    if (next < b.seq && (await this.confirmations.recheckAll(this.batches))) return true;
    if (next !== b.seq) {
      this.halted = `stream ${this.opts.stream}: batch ${b.seq} (root ${b.root}) is not anchored but the stream's next sequence number is ${next}`;
      this.log.fatal({ seq: b.seq, root: b.root, nextSeq: next }, "INVARIANT VIOLATION: " + this.halted);
      return false;
    }
    await this.submit(b);
    return true;
  }

  private async submit(b: BatchRecord, replaces?: BatchRecord["txs"][number]): Promise<void> {
    let current = b;
    await this.tx.submit(
      b,
      async (sent) => {
        current = await this.move(current, "SUBMITTED", { txs: [...current.txs, sent] });
      },
      replaces,
    );
    this.feeAlert.clear();
  }

  private async markAnchored(b: BatchRecord, a: AnchorRecord): Promise<boolean> {
    if (a.stream.toLowerCase() !== this.opts.stream.toLowerCase() || a.seq !== b.seq || a.count !== b.count) {
      this.halted = `root ${b.root} of our batch ${b.seq} is anchored as ${a.stream}#${a.seq} (${a.count})`;
      this.log.fatal({ batch: b, anchor: a }, "INVARIANT VIOLATION: " + this.halted);
      return false;
    }
    const txHash = (await this.tx.findTx(b, a.blockNumber)) ?? b.txHash;
    const anchored = await this.move(b, "ANCHORED", {
      ...(txHash === undefined ? {} : { txHash }),
      blockNumber: a.blockNumber,
      anchoredAt: a.timestamp,
    });
    this.backlog.release(anchored.count);
    this.feeAlert.clear();
    this.opts.onAnchored?.(anchored);
    const leaves = await this.store.getLeaves(b.seq);
    const now = Date.now();
    for (const t of leaves?.acceptedAtMs ?? []) this.metrics.anchorLatency.observe(Math.max(0, now - t) / 1000);
    this.log.info({ seq: b.seq, tx: txHash, block: a.blockNumber }, "batch anchored");
    await this.finalize();
    return true;
  }

  /** ANCHORED batches with enough confirmations become FINAL, after a check for reorgs (./Confirmations). */
  private async finalize(): Promise<boolean> {
    const progressed = await this.confirmations.finalize(this.batches);
    this.batches = this.batches.filter((b) => b.state !== "FINAL");
    return progressed;
  }
}
