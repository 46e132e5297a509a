import fc from "fast-check";
import type { Store, WriteOp } from "../../../service/store/Store";
import type { StateNode } from "../../../service/store/records";

/** The store's state-tree operations over Maps: what the tree sees of a store, nothing more. */
export class MemoryNodes implements Pick<Store, "stateNodes" | "stateUndo"> {
  readonly nodes = new Map<string, StateNode>();
  readonly undo = new Map<string, StateNode | null>();
  async stateNodes(paths: readonly string[]): Promise<(StateNode | undefined)[]> {
    return paths.map((p) => this.nodes.get(p));
  }
  async stateUndo(refs: readonly { seq: number; path: string }[]): Promise<(StateNode | null | undefined)[]> {
    return refs.map((r) => this.undo.get(`${r.seq}:${r.path}`));
  }
  apply(ops: readonly WriteOp[]): void {
    for (const op of ops) {
      if (op.type === "stateNode") this.nodes.set(op.path, op.node);
      if (op.type === "stateUndo") this.undo.set(`${op.seq}:${op.path}`, op.node);
    }
  }
}

/** A random 32-byte value as 0x-hex. */
export const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => "0x" + Buffer.from(b).toString("hex"));
/** Keys from a small pool (so loans come back), some sharing long prefixes (so leaves are pushed deep). */
const key = fc.oneof(
  hex32,
  fc.integer({ min: 0, max: 15 }).map((i) => "0x" + "ab".repeat(31) + i.toString(16).padStart(2, "0")),
  fc.constantFrom("0x" + "00".repeat(32), "0x" + "ff".repeat(32), "0x80" + "00".repeat(31)),
);
const batchOf = fc.array(fc.tuple(key, fc.array(hex32, { minLength: 1, maxLength: 3 })), {
  minLength: 1,
  maxLength: 12,
});
/** A few batches, each a few keys with the digests they gain. */
export const workload = fc.array(batchOf, { minLength: 1, maxLength: 6 });
