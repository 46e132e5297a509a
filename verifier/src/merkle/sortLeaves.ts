/**
 * The leaf order of the tree: input indexes sorted by their leaves, ascending bytewise (what OpenZeppelin's
 * `StandardMerkleTree` sorts by). Leaves are keccak outputs, so their first bits spread evenly: one
 * counting pass on the top bits of each leaf's first four bytes (`prefix`) spreads them over about n
 * buckets, and one insertion pass orders the few leaves that share a bucket on their whole 32 bytes.
 * Leaves crowded into a bucket on purpose (receipts ground for a shared prefix) would make that pass
 * quadratic, so past a budget of moves the order is finished by a comparison sort instead.
 */

/** Bucket counts, kept between builds: at a million leaves a fresh array costs more to map than to fill. */
let counts = new Int32Array(0);

/** Byte order of the leaves of inputs `x` and `y` (`prefix`: their first four bytes, big-endian). */
export function compareLeaves(prefix: Uint32Array, leafBytes: Uint8Array, x: number, y: number): number {
  const px = prefix[x] as number;
  const py = prefix[y] as number;
  if (px !== py) return px < py ? -1 : 1;
  const ox = x * 32;
  const oy = y * 32;
  for (let j = 4; j < 32; j++) {
    const d = (leafBytes[ox + j] as number) - (leafBytes[oy + j] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/** Fills `order` with input indexes 0..n-1 (n = its length) in ascending order of their leaves (32 bytes each in `leafBytes`). */
export function sortLeaves(prefix: Uint32Array, leafBytes: Uint8Array, order: Uint32Array): Uint32Array {
  const n = order.length;
  const bits = Math.min(20, Math.max(1, 32 - Math.clz32(n - 1)));
  const shift = 32 - bits;
  const buckets = 1 << bits;
  if (counts.length < buckets) counts = new Int32Array(buckets);
  else counts.fill(0, 0, buckets);
  const c = counts;
  for (let i = 0; i < n; i++) {
    const b = (prefix[i] as number) >>> shift;
    c[b] = (c[b] as number) + 1;
  }
  for (let b = 1; b < buckets; b++) c[b] = (c[b] as number) + (c[b - 1] as number);
  // c[b] is now the end of bucket b; filling each bucket from its end, backwards, keeps it stable.
  for (let i = n - 1; i >= 0; i--) {
    const b = (prefix[i] as number) >>> shift;
    const at = (c[b] as number) - 1;
    c[b] = at;
    order[at] = i;
  }
  // Buckets are in order; leaves within one are ordered by insertion (about one move per leaf).
  const budget = 8 * n + 64;
  let moves = 0;
  for (let k = 1; k < n; k++) {
    const v = order[k] as number;
    let m = k - 1;
    if (compareLeaves(prefix, leafBytes, order[m] as number, v) <= 0) continue;
    do {
      order[m + 1] = order[m] as number;
      m--;
    } while (m >= 0 && compareLeaves(prefix, leafBytes, order[m] as number, v) > 0);
    order[m + 1] = v;
    moves += k - 1 - m;
    if (moves > budget) return order.sort((x, y) => compareLeaves(prefix, leafBytes, x, y));
  }
  return order;
}

/** An input index whose leaf equals the one before it in `order` (a duplicate digest), or -1. */
export function findDuplicate(order: Uint32Array, prefix: Uint32Array, leafBytes: Uint8Array): number {
  for (let k = 1; k < order.length; k++) {
    const x = order[k - 1] as number;
    const y = order[k] as number;
    if (prefix[x] === prefix[y] && compareLeaves(prefix, leafBytes, x, y) === 0) return y;
  }
  return -1;
}
