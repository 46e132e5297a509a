import { invariant } from "@repayproof/verifier/core";
import type { StateNode } from "../store/records";

const UNKNOWN = 0;
const INNER = 1;
const LEAF = 2;
const EMPTY = 3;

/**
 * The top `depth` levels of one loan state tree, in memory: one slot per position, 2^(depth+1) − 1 of them
 * (73 bytes each with kind and count, 9.1 MiB at depth 16) allocated once, whatever the number of loans — the
 * levels below stay in the store. Flat bytes rather than a Map of nodes, so that a full cache is a few objects for the
 * garbage collector, not hundreds of thousands. It only ever holds nodes known to be in the store: read from it, or
 * written by an update whose write has committed. `generation` changes on every {@link clear}, so a read that began
 * before a clear cannot put what it read back in.
 */
export class StateNodeCache {
  private readonly kinds: Uint8Array;
  /** Per slot: left ‖ right of an inner node, or key ‖ head of a leaf. */
  private readonly bytes: Buffer;
  private readonly counts: Float64Array;
  private gen = 0;

  constructor(readonly depth: number) {
    invariant(Number.isInteger(depth) && depth >= 0 && depth <= 20, "a state cache deeper than 20 levels");
    const slots = 2 ** (depth + 1) - 1;
    this.kinds = new Uint8Array(slots);
    this.bytes = Buffer.alloc(slots * 64);
    this.counts = new Float64Array(slots);
  }

  /** Changes whenever the cache is emptied. */
  get generation(): number {
    return this.gen;
  }

  /** The slot of the position at `depth` on `key`'s path (a 0x-hex key: its first `depth` bits). */
  private slot(key: string, depth: number): number {
    const prefix = depth === 0 ? 0 : parseInt(key.slice(2, 8), 16) >>> (24 - depth);
    return 2 ** depth - 1 + prefix;
  }

  /** The node at `depth` on `key`'s path (null: none stored), or undefined when the cache does not know. */
  get(key: string, depth: number): StateNode | null | undefined {
    const s = this.slot(key, depth);
    const kind = this.kinds[s];
    if (kind === UNKNOWN) return undefined;
    if (kind === EMPTY) return null;
    const a = "0x" + this.bytes.toString("hex", s * 64, s * 64 + 32);
    const b = "0x" + this.bytes.toString("hex", s * 64 + 32, s * 64 + 64);
    return kind === INNER ? { left: a, right: b } : { key: a, count: this.counts[s] as number, head: b };
  }

  /** Records what the store holds at `depth` ≤ {@link depth} on `key`'s path, known while at `generation`. */
  put(generation: number, key: string, depth: number, node: StateNode | null): void {
    if (generation !== this.gen) return;
    const s = this.slot(key, depth);
    if (node === null) {
      this.kinds[s] = EMPTY;
      return;
    }
    const leaf = "key" in node;
    this.bytes.write((leaf ? node.key : node.left).slice(2), s * 64, 32, "hex");
    this.bytes.write((leaf ? node.head : node.right).slice(2), s * 64 + 32, 32, "hex");
    this.counts[s] = leaf ? node.count : 0;
    this.kinds[s] = leaf ? LEAF : INNER;
  }

  /** Forgets everything: the store may hold what the cache does not know. */
  clear(): void {
    this.kinds.fill(UNKNOWN);
    this.gen++;
  }
}
