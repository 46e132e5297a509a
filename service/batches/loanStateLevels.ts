import { invariant } from "@repayproof/verifier/core";
import type { WriteOp } from "../store/Store";
import type { StateNode } from "../store/records";
import { bitOf, extendHead, innerHash, leafHash, pathOf, ZERO } from "./loanStateHash";

/** A key being written: the digests it gains, and its value so far once a leaf has told it (else 0, zero). */
export interface Entry {
  key: string;
  digests: readonly string[];
  count: number;
  head: string;
}

/**
 * One position an update reaches. Its keys are a range of the batch's sorted entries (no copies per level)
 * and at most one stored leaf pushed down from above (`extra`): only one leaf can sit on a path.
 */
export interface Item {
  depth: number;
  path: string;
  /** A key under this position (its path is this key's first `depth` bits). */
  key: string;
  lo: number;
  hi: number;
  extra: Entry | undefined;
  /** The node stored here: undefined until read, null when there is none. */
  node: StateNode | null | undefined;
  /** Set when this position ends up a leaf. */
  leaf?: Entry;
  /** Each side of an inner node: the item below it, or the stored hash of an untouched child. */
  left?: Item | string;
  right?: Item | string;
  hash?: string;
}

/** Index of `key` in `entries[lo, hi)` (sorted), or -1. */
function search(entries: readonly Entry[], lo: number, hi: number, key: string): number {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const k = (entries[mid] as Entry).key;
    if (k === key) return mid;
    if (k < key) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}

/** The first index in `[lo, hi)` whose key has bit `depth` set (the range shares the bits above: sorted by it). */
function splitAt(entries: readonly Entry[], lo: number, hi: number, depth: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bitOf((entries[mid] as Entry).key, depth) === 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The item at the root for a batch of sorted `entries` (at least one). */
export function rootItem(entries: readonly Entry[]): Item {
  return {
    depth: 0,
    path: "",
    key: (entries[0] as Entry).key,
    lo: 0,
    hi: entries.length,
    extra: undefined,
    node: undefined,
  };
}

/** Decides what `it` becomes from the node stored there and its keys; queues the positions below it. */
export function expand(it: Item, entries: Entry[], next: Item[]): void {
  let node = it.node as StateNode | null;
  let extra = it.extra;
  if (node !== null && "key" in node) {
    // A leaf: its key joins the keys (its value becomes theirs), and the position is free again.
    const i = search(entries, it.lo, it.hi, node.key);
    if (i >= 0) {
      const e = entries[i] as Entry;
      e.count = node.count;
      e.head = node.head;
    } else {
      invariant(extra === undefined, "two stored leaves on one path");
      extra = { key: node.key, digests: [], count: node.count, head: node.head };
    }
    node = null;
  }
  const { lo, hi, depth } = it;
  if (node === null && hi - lo + (extra ? 1 : 0) === 1) {
    it.leaf = extra ?? entries[lo];
    return;
  }
  invariant(depth < 256, "two entries share a key");
  const split = splitAt(entries, lo, hi, depth);
  const extraRight = extra !== undefined && bitOf(extra.key, depth) === 1;
  const side = (from: number, to: number, x: Entry | undefined, stored: string): Item | string => {
    if (from === to && x === undefined) return stored;
    const key = from < to ? (entries[from] as Entry).key : (x as Entry).key;
    // Below a free position, or an empty child, nothing is stored: no read needed.
    const child: Item = {
      depth: depth + 1,
      path: pathOf(key, depth + 1),
      key,
      lo: from,
      hi: to,
      extra: x,
      node: stored === ZERO ? null : undefined,
    };
    next.push(child);
    return child;
  };
  it.left = side(lo, split, extraRight ? undefined : extra, node === null ? ZERO : node.left);
  it.right = side(split, hi, extraRight ? extra : undefined, node === null ? ZERO : node.right);
}

/** Hashes `it` (its children are done), records its write, and returns the node written. */
export function finish(it: Item, ops: WriteOp[]): StateNode {
  let node: StateNode;
  if (it.leaf) {
    const e = it.leaf;
    const count = e.count + e.digests.length;
    const head = extendHead(e.head, e.digests);
    it.hash = leafHash(e.key, count, head);
    node = { key: e.key, count, head };
  } else {
    const left = typeof it.left === "string" ? it.left : (it.left?.hash as string);
    const right = typeof it.right === "string" ? it.right : (it.right?.hash as string);
    it.hash = innerHash(left, right);
    node = { left, right };
  }
  ops.push({ type: "stateNode", path: it.path, node });
  return node;
}
