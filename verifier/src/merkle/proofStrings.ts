import { hexOffset, HexWriter } from "./hexCodec";
import type { TreeNodes } from "./treeNodes";

/**
 * Nodes per hex string: 16,384 × 68 characters is just above the size from which Node keeps a string's
 * characters outside V8's heap, in memory from malloc, which later trees reuse once this one is collected
 * (a fresh page costs this machine ~11 µs to map: the whole hex of a 100k tree, 13.6 MB, ~37 ms). A string
 * is made when a proof first needs one of its nodes: one proof of a large batch hexes a few, not the tree.
 */
const CHUNK_BITS = 14;
const CHUNK = 1 << CHUNK_BITS;
/** Nodes at positions below this (the top 12 levels, in many proofs each) keep their element string. */
const TOP = 4096;

/** Hex is written here, then read out as one string. */
const writer = new HexWriter();

/** The proofs' strings: the nodes' hex, by chunks, on demand; proof elements are slices of it. */
export class ProofStrings {
  /** Hex of the leaves by input index, and of the inner nodes by position, CHUNK nodes per string. */
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
    for (; p >= TOP - 1; p = (p - 1) >> 1) proof[depth++] = this.hexOf(p % 2 === 1 ? p + 1 : p - 1);
    // Below TOP - 1, every sibling is a top node.
    for (; p > 0; p = (p - 1) >> 1) {
      const q = p % 2 === 1 ? p + 1 : p - 1;
      proof[depth++] = this.top[q] ??= this.hexOf(q);
    }
    return proof;
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
      const i = this.t.order[2 * last - q] as number;
      const c = i >> CHUNK_BITS;
      hex = this.leafHex[c] ??= chunkHex(this.leafUnits, c * CHUNK, Math.min(CHUNK, this.t.n - c * CHUNK));
      k = i & (CHUNK - 1);
    }
    return hex.slice(hexOffset(k), hexOffset(k) + 66);
  }
}

/** The hex of `count` nodes (16 units each in `units`) from node `first`, as one string. */
function chunkHex(units: Uint16Array, first: number, count: number): string {
  writer.reserve(count);
  for (let k = 0; k < count; k++) writer.put(k, units, (first + k) * 16);
  return writer.read(count);
}
