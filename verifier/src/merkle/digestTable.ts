import { takeBuffer } from "./bufferPool";
import { prefixKey } from "./hexCodec";
import type { TreeNodes } from "./treeNodes";

/**
 * Digest → leaf position, by open addressing on the digest's first four bytes (digests are hashes, so
 * they spread; the build kept them in `keys`): a slot holds input index + 1 (0 for empty) and the leaf's
 * position side by side, so a lookup reads one slot and the digest it names. Less memory than a Map, and
 * no string hashing or reading: the table is made from the rank order, slot by slot.
 */
export class DigestTable {
  private readonly slots: Int32Array;
  private readonly memory: ArrayBuffer;
  /** There are 2^(32 - shift) slots: a key's slot is the top bits of its spread. */
  private readonly shift: number;

  /** `inputs`: the tree's digests in input order, in lower case. */
  constructor(
    t: TreeNodes,
    private readonly inputs: readonly string[],
  ) {
    const n = t.n;
    const last = 2 * n - 2;
    this.shift = Math.clz32(n) - 1;
    const length = 2 ** (33 - this.shift);
    this.memory = takeBuffer(length * 4);
    const slots = new Int32Array(this.memory, 0, length).fill(0);
    const mask = (slots.length >> 1) - 1;
    // The leaf of rank k sits at position last - k.
    for (let k = 0; k < n; k++) {
      const i = t.order[k] as number;
      let s = spread(t.keys[i] as number) >>> this.shift;
      while (slots[2 * s] !== 0) s = (s + 1) & mask;
      slots[2 * s] = i + 1;
      slots[2 * s + 1] = last - k;
    }
    this.slots = slots;
  }

  /** The memory of the table, for the tree to recycle. */
  get buffer(): ArrayBuffer {
    return this.memory;
  }

  /** The leaf position of `digest` (0x-hex, either case), or -1 when it is not a leaf. */
  positionOf(digest: string): number {
    if (typeof digest !== "string") throw new TypeError("a digest is a 0x-hex string");
    const key = digest.length === 66 ? prefixKey(digest) : -1;
    if (key < 0) return -1;
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    let lower: string | undefined;
    for (let s = spread(key) >>> this.shift; slots[2 * s] !== 0; s = (s + 1) & mask) {
      const candidate = this.inputs[(slots[2 * s] as number) - 1];
      if (candidate === digest || candidate === (lower ??= digest.toLowerCase())) return slots[2 * s + 1] as number;
    }
    return -1;
  }
}

/** Fibonacci hashing: the top bits of the product depend on every bit of the key. */
function spread(key: number): number {
  return Math.imul(key, 0x9e3779b1) >>> 0;
}
