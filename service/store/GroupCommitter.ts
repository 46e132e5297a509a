import type { Redo, Store, StoreBatch, WriteOp } from "./Store";

interface Group {
  batch: StoreBatch;
  ops: number;
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

/**
 * Group commit: concurrent callers share one synced `db.batch`. While one write is being synced, new
 * writes accumulate (handed to the store's batch as they come: Store.batch); when it returns, they all go
 * out together in the next one. Writes land in call order, so keys assigned in call order (the pending
 * queue) land in that order too.
 */
export class GroupCommitter {
  private next: Group | undefined;
  private writing = false;

  constructor(
    private readonly store: Store,
    private readonly onWrite?: (ops: number) => void,
  ) {}

  /**
   * Resolves once `ops` are on disk (fsynced), atomically with whatever shares their write; `redo` replaces
   * them inside the write when another instance took one of their nonces (Store.ts StoreBatch.add).
   */
  commit(ops: WriteOp[], redo?: Redo): Promise<void> {
    return new Promise((resolve, reject) => {
      this.next ??= { batch: this.store.batch(), ops: 0, waiters: [] };
      this.next.batch.add(ops, redo);
      this.next.ops += ops.length;
      this.next.waiters.push({ resolve, reject });
      if (!this.writing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.writing = true;
    while (this.next) {
      const group = this.next;
      this.next = undefined;
      try {
        await group.batch.write();
        this.onWrite?.(group.ops);
        for (const w of group.waiters) w.resolve();
      } catch (e) {
        for (const w of group.waiters) w.reject(e);
      }
    }
    this.writing = false;
  }

  /** Resolves when nothing is being written (for a clean shutdown). */
  async drain(): Promise<void> {
    while (this.writing || this.next) await new Promise((r) => setTimeout(r, 5));
  }
}
