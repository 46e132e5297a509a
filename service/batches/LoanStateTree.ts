import { invariant, verifyLoanStateProof, type LoanStateProof } from "@repayproof/verifier/core";
import type { Store, WriteOp } from "../store/Store";
import type { StateNode } from "../store/records";
import { bitOf, extendHead, innerHash, leafHash, pathOf, ZERO } from "./loanStateHash";

/** A key being written: the digests it gains, and its value so far once a leaf has told it (else 0, zero). */
interface Entry {
  key: string;
  digests: readonly string[];
  count: number;
  head: string;
}

/** One position the update reaches, with the entries whose paths run through it (sorted by key). */
interface Item {
  depth: number;
  path: string;
  entries: Entry[];
  /** The node stored here: undefined until read, null when there is none. */
  node: StateNode | null | undefined;
  /** Set when this position ends up a leaf. */
  leaf?: Entry;
  /** Each side of an inner node: the item below it, or the stored hash of an untouched child. */
  left?: Item | string;
  right?: Item | string;
  hash?: string;
}

/** What an update writes, and what each position it wrote held before (null: nothing). */
export interface StateUpdate {
  root: string;
  ops: WriteOp[];
  before: { path: string; node: StateNode | null }[];
}

/** A batch earlier than the last sealed (`last`), whose state a proof is asked for. */
export interface Earlier {
  seq: number;
  last: number;
}

/** Positions a proof reads at once: a tree of a billion random keys is about 32 deep. */
const PATH_READ = 40;

/** The stored node's own hash. */
function hashOfNode(node: StateNode | undefined): string {
  if (node === undefined) return ZERO;
  return "key" in node ? leafHash(node.key, node.count, node.head) : innerHash(node.left, node.right);
}

/** Index of `key` in `entries` (sorted), or of where it would go, negated minus one. */
function search(entries: readonly Entry[], key: string): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const k = (entries[mid] as Entry).key;
    if (k === key) return mid;
    if (k < key) lo = mid + 1;
    else hi = mid;
  }
  return -lo - 1;
}

/**
 * The loan state tree of the stream (docs/formats.md, "Loan state tree") with its nodes in the store: each
 * position on a path is one record (./loanStateHash.ts `pathOf`), an inner node holding its children's
 * hashes, a leaf its key and value. Nothing is cached: memory is bounded by one batch, and a restart reads
 * the tree where it is. {@link update} folds a whole batch in at once, level by level — one read of all the
 * positions a level needs, then every hash bottom-up — and returns the writes instead of making them, so the
 * batcher seals the new state in the same atomic write as the batch (a crash leaves the old state whole).
 */
export class LoanStateTree {
  constructor(private readonly store: Pick<Store, "stateNodes" | "stateUndo">) {}

  /** The current state root (zero for an empty tree). */
  async root(): Promise<string> {
    return hashOfNode((await this.store.stateNodes([""]))[0]);
  }

  /**
   * The root after appending each key's `digests` (in anchoring order, at least one each) to its chain, and
   * the node writes that make it so (overwrites only). Nothing is written here.
   */
  async update(appends: ReadonlyMap<string, readonly string[]>): Promise<StateUpdate> {
    const entries: Entry[] = [];
    for (const [key, digests] of appends) {
      invariant(digests.length > 0, "a key in an update gains no digest");
      entries.push({ key: key.toLowerCase(), digests, count: 0, head: ZERO });
    }
    if (entries.length === 0) return { root: await this.root(), ops: [], before: [] };
    entries.sort((a, b) => (a.key < b.key ? -1 : 1));
    const top: Item = { depth: 0, path: "", entries, node: undefined };
    const levels: Item[][] = [];
    for (let frontier = [top]; frontier.length > 0;) {
      levels.push(frontier);
      const unread = frontier.filter((it) => it.node === undefined);
      const nodes = await this.store.stateNodes(unread.map((it) => it.path));
      unread.forEach((it, j) => (it.node = nodes[j] ?? null));
      const next: Item[] = [];
      for (const it of frontier) expand(it, next);
      frontier = next;
    }
    const ops: WriteOp[] = [];
    for (let l = levels.length - 1; l >= 0; l--) for (const it of levels[l] as Item[]) finish(it, ops);
    // Every position reached is written; what it held is what a proof for an earlier batch needs.
    const before = levels.flat().map((it) => ({ path: it.path, node: it.node ?? null }));
    return { root: top.hash as string, ops, before };
  }

  /**
   * The proof of `key`'s value under the current root, or undefined when the key is not in the tree. Each
   * proof is verified before it is returned; one torn by a concurrent seal is read again.
   */
  async proof(key: string, at?: Earlier): Promise<{ stateRoot: string; proof: LoanStateProof } | undefined> {
    const k = key.toLowerCase();
    for (let attempt = 0; attempt < 5; attempt++) {
      // The path's positions are known from the key: read the first PATH_READ of them in one go.
      const path = await this.nodes(
        Array.from({ length: PATH_READ }, (_, d) => pathOf(k, d)),
        at,
      );
      let node = path[0];
      const stateRoot = hashOfNode(node);
      const siblings: string[] = [];
      for (let depth = 0; node !== undefined && !("key" in node); depth++) {
        const bit = bitOf(k, depth);
        siblings.push(bit ? node.left : node.right);
        const child = bit ? node.right : node.left;
        if (child === ZERO) node = undefined;
        else if (depth + 1 < PATH_READ) node = path[depth + 1];
        else node = (await this.nodes([pathOf(k, depth + 1)], at))[0];
      }
      if (node === undefined || node.key !== k) return undefined;
      const proof = { key: k, count: node.count, head: node.head, siblings: siblings.reverse() };
      if (verifyLoanStateProof(stateRoot, proof)) return { stateRoot, proof };
    }
    invariant(false, `the state proof of ${k} does not verify`);
  }

  /**
   * The nodes at `paths` now, or as batch `at.seq` left them: for each, what the first later batch up to
   * `at.last` found there before overwriting it (./Batcher.ts keeps it until a later batch is FINAL), else
   * the node now. Read together with a seal of `at.last + 1` they may be torn: the caller checks the root.
   */
  private async nodes(paths: readonly string[], at: Earlier | undefined): Promise<(StateNode | undefined)[]> {
    const now = this.store.stateNodes(paths);
    if (at === undefined || at.last <= at.seq) return now;
    const seqs = Array.from({ length: at.last - at.seq }, (_, i) => at.seq + 1 + i);
    const undo = await this.store.stateUndo(seqs.flatMap((seq) => paths.map((path) => ({ seq, path }))));
    const current = await now;
    return paths.map((_, p) => {
      for (let i = 0; i < seqs.length; i++) {
        const before = undo[i * paths.length + p];
        if (before !== undefined) return before ?? undefined;
      }
      return current[p];
    });
  }
}

/** Decides what `it` becomes from the node stored there and its entries; queues the positions below it. */
function expand(it: Item, next: Item[]): void {
  let node = it.node as StateNode | null;
  let entries = it.entries;
  if (node !== null && "key" in node) {
    // A leaf: its key joins the entries (its value becomes theirs), and the position is free again.
    const i = search(entries, node.key);
    if (i >= 0) Object.assign(entries[i] as Entry, { count: node.count, head: node.head });
    else entries = [...entries.slice(0, -i - 1), { ...node, digests: [] }, ...entries.slice(-i - 1)];
    node = null;
  }
  if (node === null && entries.length === 1) {
    it.leaf = entries[0];
    return;
  }
  invariant(it.depth < 256, "two entries share a key");
  // Sorted keys sharing the path so far: those whose next bit is 0 come first.
  let split = 0;
  while (split < entries.length && bitOf((entries[split] as Entry).key, it.depth) === 0) split++;
  const side = (part: Entry[], stored: string): Item | string => {
    if (part.length === 0) return stored;
    // Below a free position, or an empty child, nothing is stored: no read needed.
    const child: Item = {
      depth: it.depth + 1,
      path: pathOf((part[0] as Entry).key, it.depth + 1),
      entries: part,
      node: stored === ZERO ? null : undefined,
    };
    next.push(child);
    return child;
  };
  it.left = side(entries.slice(0, split), node === null ? ZERO : node.left);
  it.right = side(entries.slice(split), node === null ? ZERO : node.right);
}

/** Hashes `it` (its children are done) and records its write. */
function finish(it: Item, ops: WriteOp[]): void {
  if (it.leaf) {
    const e = it.leaf;
    const count = e.count + e.digests.length;
    const head = extendHead(e.head, e.digests);
    it.hash = leafHash(e.key, count, head);
    ops.push({ type: "stateNode", path: it.path, node: { key: e.key, count, head } });
    return;
  }
  const left = typeof it.left === "string" ? it.left : (it.left?.hash as string);
  const right = typeof it.right === "string" ? it.right : (it.right?.hash as string);
  it.hash = innerHash(left, right);
  ops.push({ type: "stateNode", path: it.path, node: { left, right } });
}
