/**
 * Memory of collected trees, for the next trees to reuse. A tree's arrays are tens of megabytes at a
 * million leaves, and memory fresh from the system costs this machine ~11 µs per 4 KiB page to map, more
 * than writing it (2,400 pages, ~26 ms, for a 100k tree: a sixth of its hashing); malloc and V8 give
 * freed ArrayBuffer pages back to the system instead of to the next allocation. So a tree registers its
 * buffers here, and once the garbage collector has taken the tree, they go to the pool for the next tree
 * of that size class. A batcher that seals one batch after another then maps its memory once.
 */

/** Buffers per size class kept for reuse (beyond, they are left to the garbage collector). */
const KEEP = 4;
/** Buffers below this size are not worth pooling. */
const MIN_POOLED = 1 << 16;

const pool = new Map<number, ArrayBuffer[]>();
const registry = new FinalizationRegistry<ArrayBuffer[]>((buffers) => buffers.forEach(giveBack));

/**
 * An ArrayBuffer of at least `bytes` bytes, of unspecified content: a pooled one of the size class
 * (the next power of two) when there is one, else a new one.
 */
export function takeBuffer(bytes: number): ArrayBuffer {
  if (bytes < MIN_POOLED) return new ArrayBuffer(bytes);
  const size = 2 ** Math.ceil(Math.log2(bytes));
  return pool.get(size)?.pop() ?? new ArrayBuffer(size);
}

/** Gives `buffer` (from {@link takeBuffer}) back to the pool now: nothing may reference it any more. */
export function giveBack(buffer: ArrayBuffer): void {
  if (buffer.byteLength < MIN_POOLED) return;
  const free = pool.get(buffer.byteLength) ?? [];
  if (free.length < KEEP) free.push(buffer);
  pool.set(buffer.byteLength, free);
}

/** Gives `buffers` to the pool once `owner` is collected: nothing else may still reference them by then. */
export function recycleWith(owner: object, buffers: readonly ArrayBuffer[]): void {
  registry.register(
    owner,
    buffers.filter((b) => b.byteLength >= MIN_POOLED),
  );
}
