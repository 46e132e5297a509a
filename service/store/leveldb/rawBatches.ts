import type { StoreBatch, WriteOp } from "../Store";

/** classic-level's own batch entry points: they take ops already prefixed and encoded (what `batch` hands them). */
export interface RawBatchDb {
  status: string;
  hooks: { prewrite: { noop: boolean } };
  listenerCount(event: string): number;
  _batch(ops: object[], options: { sync: boolean }): Promise<void>;
  _chainedBatch(): RawChainedBatch;
}

/** classic-level's chained batch: `_put`/`_del` copy into a native WriteBatch at once; `_write` applies it. */
interface RawChainedBatch {
  _put(key: string, value: string): void;
  _del(key: string): void;
  _write(options: { sync: boolean }): Promise<void>;
  _clear(): void;
  close(): Promise<void>;
}

/** One op as the raw entry points take it: the prefixed key, and the value (undefined: a delete). */
export type RawEntry = readonly [key: string, value: string | undefined];

/** Whether `db` is in the state the raw entry points assume: open, with no prewrite hook or write listener. */
export function rawPathOpen(db: RawBatchDb): boolean {
  return db.status === "open" && db.hooks.prewrite.noop && db.listenerCount("write") === 0;
}

/**
 * Group-commit writes on classic-level's native WriteBatch: each op goes into it as it is added (keys and
 * values copied out of the JavaScript heap at once, so a commit's records do not survive young-generation
 * collections while the previous write syncs), written with `sync: true` once, then cleared and kept for a
 * later group — classic-level frees a native batch only when V8 collects its small JavaScript handle, so
 * fresh ones would pile up megabytes of native memory between full collections.
 */
export class NativeBatches {
  private readonly spare: RawChainedBatch[] = [];

  constructor(private readonly db: RawBatchDb) {}

  /** Whether the raw path can be taken now. */
  usable(): boolean {
    return rawPathOpen(this.db) && typeof this.db._chainedBatch === "function";
  }

  /** A write gathering ops; `toRaw` prefixes and encodes them (throwing adds nothing of that call). */
  batch(toRaw: (ops: readonly WriteOp[]) => RawEntry[]): StoreBatch {
    const native = this.spare.pop() ?? this.db._chainedBatch();
    let count = 0;
    return {
      add: (ops) => {
        for (const [key, value] of toRaw(ops)) {
          if (value === undefined) native._del(key);
          else native._put(key, value);
        }
        count += ops.length;
      },
      write: async () => {
        try {
          if (count > 0) await native._write({ sync: true });
        } catch (e) {
          await native.close();
          throw e;
        }
        native._clear();
        // The group commit has one batch writing and one gathering: two spares are all it reuses.
        if (this.spare.length < 2) this.spare.push(native);
        else await native.close();
      },
    };
  }
}
