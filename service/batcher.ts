import type { Logger } from "pino";
import { buildTree, invariant } from "@repayproof/verifier";
import type { Metrics } from "./metrics";
import { seqKey, type Store, type WriteOp } from "./store/Store";
import type { BatchRecord } from "./store/records";

/** What the batcher needs from the anchorer: how many sealed batches wait, and where to hand new ones. */
export interface BatchSink {
  waiting(): number;
  unanchoredReceipts(): number;
  enqueue(batch: BatchRecord): void;
}

/** Sealed batches allowed to wait for the chain; beyond it receipts stay pending and later seal in full batches. */
const MAX_WAITING_BATCHES = 2;

/**
 * The OPEN batch is the pending queue on disk. The batcher seals it at `batchMax` receipts or every
 * `intervalMs`: builds the tree with our own code, checks every proof against the root, and in one
 * atomic synced write records the batch (SEALED, root, leaves), maps each digest to it and removes the
 * digests from the queue — so a receipt is sealed into exactly one batch, crash or not.
 */
export class Batcher {
  private pendingCount = 0;
  private pendingCounter = 0;
  private nextSeq = 0;
  private sealing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly sink: BatchSink,
    private readonly batchMax: number,
    private readonly intervalMs: number,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  /** Loads the counters from disk (the pending queue is bounded by the backlog; batches are not scanned). */
  async init(): Promise<void> {
    let count = 0;
    let last: string | undefined;
    for await (const [k, v] of this.store.pending.iterator()) {
      count += countEntries(v);
      last = k;
    }
    this.pendingCount = count;
    this.pendingCounter = last === undefined ? 0 : Number(last) + 1;
    const lastBatch = await this.store.lastBatch();
    this.nextSeq = lastBatch ? lastBatch.seq + 1 : 0;
    this.updateGauges();
  }

  start(): void {
    this.timer = setInterval(() => this.trigger(), this.intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.sealing;
  }

  backlog(): number {
    return this.pendingCount + this.sink.unanchoredReceipts();
  }

  pending(): number {
    return this.pendingCount;
  }

  /** The next arrival-order key of the pending queue (assigned synchronously at staging). */
  nextPendingKey(): number {
    return this.pendingCounter++;
  }

  onCommitted(receipts: number): void {
    this.pendingCount += receipts;
    this.updateGauges();
    if (this.pendingCount >= this.batchMax) this.trigger();
  }

  /** Seals now if a full batch is pending (after the anchorer made room): partial batches wait for the timer. */
  triggerIfFull(): void {
    if (this.pendingCount >= this.batchMax) this.trigger();
  }

  /** Seals now if there is anything to seal and room for another waiting batch. */
  trigger(): void {
    if (this.sealing || this.closed || this.pendingCount === 0) return;
    if (this.sink.waiting() >= MAX_WAITING_BATCHES) return;
    this.sealing = this.seal()
      .then(() => undefined)
      .catch((err: unknown) => this.log.error({ err }, "sealing failed; will retry"))
      .finally(() => {
        this.sealing = undefined;
        if (this.pendingCount >= this.batchMax) setImmediate(() => this.trigger());
      });
  }

  /** Seals up to `batchMax` pending receipts into the next batch. */
  async seal(): Promise<BatchRecord | undefined> {
    const digests: string[] = [];
    const acceptedAtMs: number[] = [];
    const s = this.store;
    const queueOps: WriteOp[] = [];
    // Each pending entry holds the receipts of one group commit, in arrival order; a batch takes whole
    // entries, and the first `batchMax` receipts of the last one it needs (the rest is written back).
    for await (const [k, v] of s.pending.iterator()) {
      const entries = v.split(",");
      const room = this.batchMax - digests.length;
      const take = entries.slice(0, room);
      for (const e of take) {
        const [digest, at] = e.split(":");
        digests.push(digest as string);
        acceptedAtMs.push(Number(at));
      }
      if (take.length < entries.length) {
        queueOps.push({ type: "put", sublevel: s.pending, key: k, value: entries.slice(room).join(",") });
      } else {
        queueOps.push({ type: "del", sublevel: s.pending, key: k });
      }
      if (digests.length >= this.batchMax) break;
    }
    if (digests.length === 0) return undefined;
    const tree = buildTree(digests);
    // Check our own output before it leaves: every leaf's proof must lead to the root.
    for (const d of digests) tree.proof(d);
    invariant(tree.count === digests.length, "tree size differs from the batch");
    const seq = this.nextSeq;
    const batch: BatchRecord = {
      seq,
      root: tree.root,
      count: digests.length,
      state: "SEALED",
      sealedAt: Date.now(),
      txs: [],
    };
    const ops: WriteOp[] = [
      s.putBatchOp(batch),
      { type: "put", sublevel: s.leaves, key: seqKey(seq), value: JSON.stringify({ digests, acceptedAtMs }) },
    ];
    for (const d of digests) ops.push({ type: "put", sublevel: s.batchOf, key: d, value: String(seq) });
    for (const op of queueOps) ops.push(op);
    await s.write(ops);
    this.nextSeq = seq + 1;
    this.pendingCount -= digests.length;
    this.metrics.batchSize.observe(digests.length);
    this.log.info({ seq, root: batch.root, count: batch.count }, "batch sealed");
    this.sink.enqueue(batch);
    this.updateGauges();
    return batch;
  }

  updateGauges(): void {
    this.metrics.pending.set(this.pendingCount);
    this.metrics.backlog.set(this.backlog());
  }
}

function countEntries(v: string): number {
  let n = v.length === 0 ? 0 : 1;
  for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) === 44) n++;
  return n;
}
