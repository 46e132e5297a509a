import type { Logger } from "pino";
import { buildTree, invariant, loanStateKey } from "@repayproof/verifier/core";
import type { Metrics } from "../metrics";
import type { WriteOp, Store } from "../store/Store";
import type { BatchRecord } from "../store/records";
import { BATCHER_CACHE_DEPTH, LoanStateTree } from "./LoanStateTree";
import type { PendingItem, PendingQueue } from "./PendingQueue";

/** Where sealed batches go (the anchorer): it says when it has room, and takes them in seq order. */
export interface BatchSink {
  /** Resolves once the sink can take another sealed batch (backpressure while the chain is slow). */
  room(): Promise<void>;
  enqueue(batch: BatchRecord): void;
}

export interface BatcherOptions {
  /** Receipts per batch at most; a full batch seals at once. */
  batchMax: number;
  /** A partial batch seals at this interval. */
  intervalMs: number;
}

/**
 * Seals the pending queue into batches at `batchMax` receipts or every `intervalMs`, whichever comes first,
 * while the sink has room: builds the tree with our own code, checks every proof against the root, and in
 * one atomic synced write records the batch (SEALED, root, leaves, state root), the loan state tree's new
 * nodes (./LoanStateTree.ts), maps each digest to it and removes the digests from the queue — so a receipt is
 * sealed into exactly one batch and counted once in its loan's state, crash or not. Then hands the batch to
 * the sink.
 */
export class Batcher {
  private nextSeq = 0;
  private closed = false;
  private running: Promise<void> | undefined;
  private tickDue = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  /** The last seal's write failed: it may have landed all the same (its answer lost). */
  private unsure = false;
  private readonly state: LoanStateTree;

  constructor(
    private readonly store: Store,
    private readonly queue: PendingQueue,
    private readonly sink: BatchSink,
    private readonly opts: BatcherOptions,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {
    this.state = new LoanStateTree(store, { cacheDepth: BATCHER_CACHE_DEPTH });
    queue.onGrow((size) => {
      this.metrics.pending.set(size);
      if (size >= this.opts.batchMax) this.kick();
    });
  }

  /** The next seq from disk (batches are not scanned: the last one says it). */
  async init(): Promise<void> {
    const last = await this.store.lastBatch();
    this.nextSeq = last ? last.seq + 1 : 0;
    this.metrics.pending.set(this.queue.size());
  }

  start(): void {
    this.timer = setInterval(() => {
      this.tickDue = true;
      this.kick();
    }, this.opts.intervalMs);
    this.timer.unref();
    this.running = this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.kick();
    await this.running;
  }

  private kick(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const full = this.queue.size() >= this.opts.batchMax;
      const due = this.tickDue && (this.queue.size() > 0 || this.queue.maybeMore() || this.unsure);
      if (!full && !due) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      await this.sink.room();
      if (this.closed) break;
      this.tickDue = false;
      try {
        await this.seal();
      } catch (err) {
        this.log.error({ err }, "sealing failed; will retry at the next interval");
        if (!this.closed) await new Promise<void>((resolve) => (this.wake = resolve));
      }
    }
  }

  /** Seals up to `batchMax` pending receipts into the next batch, hands it to the sink, and returns it. */
  async seal(): Promise<BatchRecord | undefined> {
    if (this.unsure) {
      const landed = await this.landed();
      this.unsure = false;
      if (landed) return landed;
    }
    const { items, ops: queueOps } = await this.queue.take(this.opts.batchMax);
    if (items.length === 0) return undefined;
    const digests = items.map((i) => i.digest);
    const tree = buildTree(digests);
    // Check our own output before it leaves: every leaf's proof must lead to the root (one pass over the tree).
    tree.check();
    invariant(tree.count === digests.length, "tree size differs from the batch");
    const seq = this.nextSeq;
    const update = await this.state.update(await this.appendsOf(items));
    const { root: stateRoot, ops: stateOps, before } = update;
    const batch: BatchRecord = {
      seq,
      root: tree.root,
      count: digests.length,
      stateRoot,
      state: "SEALED",
      sealedAt: Date.now(),
      txs: [],
    };
    const ops: WriteOp[] = [
      { type: "batch", batch },
      { type: "leaves", seq, leaves: { digests, acceptedAtMs: items.map((i) => i.acceptedAtMs) } },
      ...digests.map((digest): WriteOp => ({ type: "batchOf", digest, seq })),
      ...queueOps,
      ...stateOps,
      // What the tree held before, so that a proof can still be given for the batch the chain shows.
      ...before.map(({ path, node }): WriteOp => ({ type: "stateUndo", seq, path, node })),
    ];
    try {
      await this.store.write(ops);
    } catch (err) {
      this.unsure = true;
      // Committed or not, the state tree's cache cannot know: it starts again from the store.
      this.state.abandoned();
      throw err;
    }
    this.state.committed(update);
    this.done(batch);
    return batch;
  }

  /** `batch` is on disk: the next seq, the queue's size, and the sink. */
  private done(batch: BatchRecord): void {
    this.nextSeq = batch.seq + 1;
    this.queue.removed(batch.count);
    this.metrics.batchSize.observe(batch.count);
    this.metrics.pending.set(this.queue.size());
    this.log.info({ seq: batch.seq, root: batch.root, count: batch.count }, "batch sealed");
    this.sink.enqueue(batch);
  }

  /**
   * After a seal whose write failed: the batch, if that write landed all the same (the database went away
   * after the commit and before its answer). Sealing on as if it had not would give its seq to the next
   * receipts, overwriting the batch that holds the first ones, and fold its receipts into the state twice.
   */
  private async landed(): Promise<BatchRecord | undefined> {
    const batch = await this.store.getBatch(this.nextSeq);
    if (batch === undefined) return undefined;
    this.log.warn({ seq: batch.seq }, "a seal reported as failed had landed; taking it as sealed");
    this.done(batch);
    return batch;
  }

  /**
   * Each loan's digests in this batch, in leaf order: what its hash chain gains (docs/formats.md). The loan's
   * key comes with the pending item; only items queued before it did are read from the store for it.
   */
  private async appendsOf(items: readonly PendingItem[]): Promise<Map<string, string[]>> {
    const unkeyed = items.filter((it) => it.stateKey === undefined);
    const receipts = await this.store.getReceipts(unkeyed.map((it) => it.digest));
    const read = new Map<string, string>();
    receipts.forEach((r, i) => {
      const digest = (unkeyed[i] as PendingItem).digest;
      invariant(r !== undefined, `sealing ${digest}, a receipt not in the store`);
      read.set(digest, loanStateKey(r.receipt.agreementId, r.receipt.loanId));
    });
    const appends = new Map<string, string[]>();
    for (const it of items) {
      const key = it.stateKey ?? (read.get(it.digest) as string);
      const list = appends.get(key);
      if (list) list.push(it.digest);
      else appends.set(key, [it.digest]);
    }
    return appends;
  }
}
