import type { Store, WriteOp } from "../store/Store";

/** A receipt accepted and not yet sealed into a batch, with the time it was accepted (ms). */
export interface PendingItem {
  digest: string;
  acceptedAtMs: number;
  /** Its loan's key in the loan state tree (lower-case hex), so sealing need not read the receipt for it. */
  stateKey?: string;
}

/**
 * The OPEN batch: receipts accepted and not yet sealed, in arrival order, on disk. This module alone knows
 * its format — one entry per group commit, `digest:acceptedAtMs[:stateKey]` items joined by commas (entries
 * written before the state key was added have none), under an arrival
 * counter — and keeps its size. Admission appends (in its own atomic write), the batcher takes.
 */
export class PendingQueue {
  private count = 0;
  private nextKey = 0;
  /** Appends whose write failed: each may have landed all the same (a commit whose answer was lost). */
  private unsure = 0;
  /** {@link unsure} as of the start of the last take that read the whole queue. */
  private checked = 0;
  private listener: ((size: number) => void) | undefined;

  constructor(private readonly store: Store) {}

  /** Loads the size and the next key from disk (the queue is bounded by the backlog, so this is too). */
  async init(): Promise<void> {
    let count = 0;
    let last = -1;
    for await (const [key, entry] of this.store.pendingEntries()) {
      count += countItems(entry);
      last = key;
    }
    this.count = count;
    this.nextKey = last + 1;
  }

  /** Receipts waiting to be sealed. */
  size(): number {
    return this.count;
  }

  /** The consumer (the batcher) hears the new size after each append is durable. One listener. */
  onGrow(listener: (size: number) => void): void {
    this.listener = listener;
  }

  /**
   * The op that appends `items` as one entry. Its key is taken now, synchronously, so entries keep the
   * order in which admission decided them; call {@link committed} once the write holding it is durable.
   */
  append(items: readonly PendingItem[]): WriteOp & { type: "pending" } {
    return { type: "pending", key: this.nextKey++, entry: encode(items) };
  }

  /** The op that writes `items` instead, under the key of `entry` (an {@link append} not yet written); none: no entry. */
  rewrite(entry: WriteOp & { type: "pending" }, items: readonly PendingItem[]): WriteOp {
    return items.length === 0 ? { type: "pendingDone", key: entry.key } : { ...entry, entry: encode(items) };
  }

  /** `n` appended items are on disk: they count, and the consumer hears it. */
  committed(n: number): void {
    this.count += n;
    this.listener?.(this.count);
  }

  /**
   * An append's write failed, so whether it landed is unknown: a database that went away after the commit
   * was durable and before it answered leaves it on disk, uncounted. {@link size} is then a lower bound
   * until a take reads the whole queue, and {@link maybeMore} tells the consumer to look.
   */
  failed(): void {
    this.unsure++;
  }

  /** Whether items may be on disk that {@link size} does not count (a failed append that landed). */
  maybeMore(): boolean {
    return this.unsure > this.checked;
  }

  /**
   * The oldest `max` items (whole entries, and the first part of the last one it needs) and the ops that
   * remove them — to be applied in the caller's own atomic write, then reported with {@link removed}.
   */
  async take(max: number): Promise<{ items: PendingItem[]; ops: WriteOp[] }> {
    const items: PendingItem[] = [];
    const ops: WriteOp[] = [];
    const unsure = this.unsure;
    for await (const [key, entry] of this.store.pendingEntries()) {
      const all = decode(entry);
      const room = max - items.length;
      items.push(...all.slice(0, room));
      ops.push(
        all.length > room ? { type: "pending", key, entry: encode(all.slice(room)) } : { type: "pendingDone", key },
      );
      if (items.length >= max) return { items, ops };
    }
    // The whole queue was read: whatever failed before this take began is in it, if it landed.
    this.checked = unsure;
    return { items, ops };
  }

  /** `n` taken items are gone from disk (some may be ones it never counted: see {@link failed}). */
  removed(n: number): void {
    this.count = Math.max(0, this.count - n);
  }

  /** Every pending item, oldest first (readers stop early: the alerts read only what can be overdue). */
  async *items(): AsyncIterable<PendingItem> {
    for await (const [, entry] of this.store.pendingEntries()) yield* decode(entry);
  }
}

function encode(items: readonly PendingItem[]): string {
  return items.map((i) => `${i.digest}:${i.acceptedAtMs}${i.stateKey === undefined ? "" : ":" + i.stateKey}`).join(",");
}

function decode(entry: string): PendingItem[] {
  if (entry === "") return [];
  return entry.split(",").map((part) => {
    const i = part.indexOf(":");
    const j = part.indexOf(":", i + 1);
    if (j < 0) return { digest: part.slice(0, i), acceptedAtMs: Number(part.slice(i + 1)) };
    return { digest: part.slice(0, i), acceptedAtMs: Number(part.slice(i + 1, j)), stateKey: part.slice(j + 1) };
  });
}

function countItems(entry: string): number {
  let n = entry.length === 0 ? 0 : 1;
  for (let i = 0; i < entry.length; i++) if (entry.charCodeAt(i) === 44) n++;
  return n;
}
