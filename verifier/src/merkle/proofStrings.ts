import { hexOffset, HexWriter } from "./hexCodec";
import type { TreeNodes } from "./treeNodes";

/**
 * Proof elements are strings, and strings cost memory: the hex of every node of a 100k tree is 13.6 MB,
 * and fresh memory costs this machine ~11 µs per 4 KiB page to map (~37 ms for that hex, a quarter of the
 * tree's hashing). So the hex is made where it pays:
 * - the two deepest elements of a proof (a leaf's sibling and its parent's: each is in one proof or two of
 *   the batch) are hexed for that proof only, into a buffer kept between proofs, then read out as one
 *   short string that dies with the proof;
 * - higher nodes (the other quarter of the tree, in many proofs each) are hexed 1,024 at a time, when a
 *   proof first needs one of them, into strings of 70 KB: under V8's large-object size, so they live in
 *   heap pages that later trees reuse once this one is collected, where a larger string or a malloc'd one
 *   would get fresh pages every time;
 * - nodes at the top 4,096 positions (12 levels) also keep their element string.
 * Every element is a slice of one of those strings. The first proof of a large batch hexes a few chunks
 * of 1,024 nodes (one per level between the two deepest and the top 12), not the tree.
 */
const DEEP = 2;
const CHUNK_BITS = 10;
const CHUNK = 1 << CHUNK_BITS;
const TOP = 4096;

/** Hex is written here, then read out as one string. */
const writer = new HexWriter(CHUNK);

/** The proofs' strings of one tree. */
export class ProofStrings {
  /** Hex of the leaves by rank, and of the inner nodes by position, CHUNK nodes per string. */
  private readonly leafHex: (string | undefined)[];
  private readonly innerHex: (string | undefined)[];
  private readonly top: (string | undefined)[];
  private readonly leafUnits: Uint16Array;
  private readonly innerUnits: Uint16Array;

  constructor(private readonly t: TreeNodes) {
    const n = t.n;
    this.leafHex = new Array<string | undefined>(((n - 1) >> CHUNK_BITS) + 1);
    this.innerHex = new Array<string | undefined>(((n - 2) >> CHUNK_BITS) + 1);
    this.top = new Array<string | undefined>(Math.min(TOP, 2 * n - 1));
    this.leafUnits = new Uint16Array(t.leaves.buffer, t.leaves.byteOffset, t.leaves.length * 2);
    this.innerUnits = new Uint16Array(t.inner.buffer, t.inner.byteOffset, t.inner.length * 2);
  }

  /** The proof of the leaf at position `p`: its siblings' 0x-hex, from the leaf up. */
  proofOf(p: number): string[] {
    const proof = new Array<string>(31 - Math.clz32(p + 1));
    let depth = 0;
    if (p >= TOP - 1) {
      // Read both deep siblings before hexing either: their cache misses (a random leaf and a random
      // inner node) then overlap instead of queueing (-17% on all proofs, at 100k and at 1M).
      const up = (p - 1) >> 1;
      this.touched = this.firstUnit(p % 2 === 1 ? p + 1 : p - 1) + this.firstUnit(up % 2 === 1 ? up + 1 : up - 1);
      for (; depth < DEEP && p >= TOP - 1; p = (p - 1) >> 1) this.write(depth++, p % 2 === 1 ? p + 1 : p - 1);
      const hex = writer.read(depth);
      for (let k = 0; k < depth; k++) proof[k] = hex.slice(hexOffset(k), hexOffset(k) + 66);
    }
    for (; p >= TOP - 1; p = (p - 1) >> 1) proof[depth++] = this.hexOf(p % 2 === 1 ? p + 1 : p - 1);
    // From here on (p < TOP - 1), every sibling is a top node.
    for (; p > 0; p = (p - 1) >> 1) {
      const q = p % 2 === 1 ? p + 1 : p - 1;
      proof[depth++] = this.top[q] ??= this.hexOf(q);
    }
    return proof;
  }

  /** Kept so that the reads above are not optimized away. */
  private touched = 0;

  /** The first 16-bit unit of node `q`. */
  private firstUnit(q: number): number {
    const last = this.t.n - 1;
    return q < last ? (this.innerUnits[q * 16] as number) : (this.leafUnits[(2 * last - q) * 16] as number);
  }

  /** Writes node `q`'s hex as node `k` of the writer. */
  private write(k: number, q: number): void {
    const last = this.t.n - 1;
    if (q < last) writer.put(k, this.innerUnits, q * 16);
    else writer.put(k, this.leafUnits, (2 * last - q) * 16);
  }

  /** The 0x-hex of node `q`: a slice of its chunk's string. */
  private hexOf(q: number): string {
    const last = this.t.n - 1;
    let hex: string;
    let k: number;
    if (q < last) {
      const c = q >> CHUNK_BITS;
      hex = this.innerHex[c] ??= chunkHex(this.innerUnits, c * CHUNK, Math.min(CHUNK, last - c * CHUNK));
      k = q & (CHUNK - 1);
    } else {
      const rank = 2 * last - q;
      const c = rank >> CHUNK_BITS;
      hex = this.leafHex[c] ??= chunkHex(this.leafUnits, c * CHUNK, Math.min(CHUNK, this.t.n - c * CHUNK));
      k = rank & (CHUNK - 1);
    }
    return hex.slice(hexOffset(k), hexOffset(k) + 66);
  }
}

/** The hex of `count` nodes (16 units each in `units`) from node `first`, as one string. */
function chunkHex(units: Uint16Array, first: number, count: number): string {
  for (let k = 0; k < count; k++) writer.put(k, units, (first + k) * 16);
  return writer.read(count);
}
