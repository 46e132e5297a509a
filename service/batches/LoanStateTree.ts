import { invariant, verifyLoanStateProof, type LoanStateProof } from "@repayproof/verifier/core";
import type { Store, WriteOp } from "../store/Store";
import type { StateNode } from "../store/records";
import { bitOf, innerHash, leafHash, pathOf, ZERO } from "./loanStateHash";
import { expand, finish, rootItem, type Entry, type Item } from "./loanStateLevels";
import { StateNodeCache } from "./StateNodeCache";

/** Positions a proof reads at once: a tree of a billion random keys is about 32 deep. */
const PATH_READ = 40;

/**
 * Levels the batcher keeps in memory ({@link LoanStateTree} `cacheDepth`): at most 2^17 − 1 nodes, the ones
 * every batch of thousands of receipts reads again; below them each batch touches mostly nodes it has never
 * read.
 */
export const BATCHER_CACHE_DEPTH = 16;

/**
 * What {@link LoanStateTree.update} returns: the new root, the node writes that make it so, and what each
 * position written held before — what a proof for an earlier batch needs: every node overwritten, and null for
 * the root when the tree was empty (a position below that held nothing is never read by such a proof).
 */
export interface LoanStateUpdate {
  root: string;
  ops: WriteOp[];
  before: { path: string; node: StateNode | null }[];
}

/** A batch earlier than the last sealed (`last`), whose state a proof is asked for. */
export interface Earlier {
  seq: number;
  last: number;
}

/** `key` with bit `depth` set (0 = the most significant). */
function withBit(key: string, depth: number): string {
  const i = 2 + (depth >> 2);
  const nibble = parseInt(key[i] as string, 16) | (8 >> (depth & 3));
  return key.slice(0, i) + nibble.toString(16) + key.slice(i + 1);
}

/** The stored node's own hash. */
function hashOfNode(node: StateNode | undefined): string {
  if (node === undefined) return ZERO;
  return "key" in node ? leafHash(node.key, node.count, node.head) : innerHash(node.left, node.right);
}

/**
 * The loan state tree of the stream (docs/formats.md, "Loan state tree") with its nodes in the store: each
 * position on a path is one record (./loanStateHash.ts `pathOf`), an inner node holding its children's
 * hashes, a leaf its key and value. {@link update} folds a whole batch in at once, level by level — one read
 * of all the positions a level needs, then every hash bottom-up — and returns the writes instead of making
 * them, so the batcher seals the new state in the same atomic write as the batch (a crash leaves the old
 * state whole).
 *
 * With `cacheDepth` (the batcher's own tree, the only writer of its stream) the top levels stay in memory
 * (./StateNodeCache.ts), bounded by the depth and not by the loans. An update's new nodes enter it only when
 * the caller says its write {@link committed}; a failed write ({@link abandoned}), or an update neither
 * committed nor abandoned before the next, empties it, and the next update reads the store. Without it (every
 * reader: proofs, other instances' streams) nothing is cached and every call reads the tree where it is.
 */
export class LoanStateTree {
  private readonly cache: StateNodeCache | undefined;
  /** The last update until its write is reported committed or failed: its top nodes, the cache's generation then. */
  private pending: { result: LoanStateUpdate; generation: number; nodes: Item[] } | undefined;

  constructor(
    private readonly store: Pick<Store, "stateNodes" | "stateUndo">,
    opts: { cacheDepth?: number } = {},
  ) {
    this.cache = opts.cacheDepth ? new StateNodeCache(opts.cacheDepth) : undefined;
  }

  /** The current state root (zero for an empty tree), read from the store. */
  async root(): Promise<string> {
    return hashOfNode((await this.store.stateNodes([""]))[0]);
  }

  /**
   * The root after appending each key's `digests` (in anchoring order, at least one each) to its chain, and
   * the node writes that make it so (overwrites only). Nothing is written here; with a cache, call
   * {@link committed} or {@link abandoned} with the outcome of the write.
   */
  async update(appends: ReadonlyMap<string, readonly string[]>): Promise<LoanStateUpdate> {
    const cache = this.cache;
    // The last update's write may or may not have reached the store: the cache cannot tell which.
    if (this.pending !== undefined) cache?.clear();
    this.pending = undefined;
    const entries: Entry[] = [];
    for (const [key, digests] of appends) {
      invariant(digests.length > 0, "a key in an update gains no digest");
      entries.push({ key: key.toLowerCase(), digests, count: 0, head: ZERO });
    }
    if (entries.length === 0) {
      const result = { root: await this.root(), ops: [], before: [] };
      if (cache) this.pending = { result, generation: cache.generation, nodes: [] };
      return result;
    }
    entries.sort((a, b) => (a.key < b.key ? -1 : 1));
    const generation = cache?.generation ?? 0;
    const depth = cache?.depth ?? -1;
    const top = rootItem(entries);
    const levels: Item[][] = [];
    for (let frontier = [top]; frontier.length > 0;) {
      levels.push(frontier);
      const unread: Item[] = [];
      for (const it of frontier) {
        if (it.node !== undefined) continue;
        const known = it.depth <= depth ? cache?.get(it.key, it.depth) : undefined;
        if (known === undefined) unread.push(it);
        else it.node = known;
      }
      const nodes = await this.store.stateNodes(unread.map((it) => it.path));
      unread.forEach((it, j) => {
        it.node = nodes[j] ?? null;
        if (it.depth <= depth) cache?.put(generation, it.key, it.depth, it.node);
      });
      const next: Item[] = [];
      for (const it of frontier) expand(it, entries, next);
      frontier = next;
    }
    const ops: WriteOp[] = [];
    const cached: Item[] = [];
    const before: LoanStateUpdate["before"] = [];
    for (let l = levels.length - 1; l >= 0; l--)
      for (const it of levels[l] as Item[]) {
        // Every position reached is written; what it held is what a proof for an earlier batch needs. A position
        // that held nothing is never read by such a proof (its parent then showed an empty child), so only the
        // root's emptiness is kept: the bulk of a batch of new loans writes positions that held nothing.
        if (it.node || it.depth === 0) before.push({ path: it.path, node: it.node ?? null });
        it.node = finish(it, ops);
        if (l <= depth) cached.push(it);
      }
    const result = { root: top.hash as string, ops, before };
    if (cache) this.pending = { result, generation, nodes: cached };
    return result;
  }

  /**
   * Reads the cached levels from the store, one read per level (at most 2^(cacheDepth+1) − 1 nodes), so that
   * the first batches need not. Optional: without it the cache fills as updates read.
   */
  async warm(): Promise<void> {
    const cache = this.cache;
    if (!cache) return;
    if (this.pending !== undefined) cache.clear();
    this.pending = undefined;
    const generation = cache.generation;
    // A key under each position to read at depth d (only its first d bits count).
    let keys = [ZERO];
    for (let d = 0; d <= cache.depth && keys.length > 0; d++) {
      const nodes = await this.store.stateNodes(keys.map((k) => pathOf(k, d)));
      const next: string[] = [];
      keys.forEach((k, i) => {
        const node = nodes[i] ?? null;
        cache.put(generation, k, d, node);
        if (node === null || "key" in node) return;
        if (node.left !== ZERO) next.push(k);
        if (node.right !== ZERO) next.push(withBit(k, d));
      });
      keys = next;
    }
  }

  /** `result`'s write has committed: its top nodes join the cache (anything unexpected empties it instead). */
  committed(result: LoanStateUpdate): void {
    const p = this.pending;
    this.pending = undefined;
    if (!this.cache) return;
    if (p?.result !== result || p.generation !== this.cache.generation) return this.cache.clear();
    for (const it of p.nodes) this.cache.put(p.generation, it.key, it.depth, it.node as StateNode);
  }

  /** The last update's write failed, or its outcome is unknown: the cache forgets everything. */
  abandoned(): void {
    this.pending = undefined;
    this.cache?.clear();
  }

  /**
   * The proof of `key`'s value under the current root (or batch `at.seq`'s), or undefined when the key is not in the tree. Each
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
    if (at === undefined || at.last <= at.seq) return this.store.stateNodes(paths);
    const seqs = Array.from({ length: at.last - at.seq }, (_, i) => at.seq + 1 + i);
    // Both reads at once, and both awaited together: one failing never leaves the other's rejection unheard.
    const [current, undo] = await Promise.all([
      this.store.stateNodes(paths),
      this.store.stateUndo(seqs.flatMap((seq) => paths.map((path) => ({ seq, path })))),
    ]);
    return paths.map((_, p) => {
      for (let i = 0; i < seqs.length; i++) {
        const before = undo[i * paths.length + p];
        if (before !== undefined) return before ?? undefined;
      }
      return current[p];
    });
  }
}
