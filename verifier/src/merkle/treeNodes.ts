import { InvalidArgumentError, invariant } from "../errors";
import { keccakBuffer } from "../crypto/keccakBuffer";
import { decodeBytes32, NOT_BYTES32 } from "./hexCodec";

/**
 * The nodes of a tree in OpenZeppelin's layout (node i has children 2i + 1 and 2i + 2; the leaf of rank k,
 * in ascending order, sits at position size - 1 - k), in two arrays: the n - 1 inner nodes by position in
 * `inner`, the leaves by rank in `leaves` (so both are read in order while hashing, and a leaf's neighbours
 * are its neighbours in memory). Every hash is one call into WebAssembly on its I/O buffer
 * (../crypto/keccakBuffer); nodes move in and out of it eight 32-bit words at a time.
 */
export interface TreeNodes {
  /** Number of leaves. */
  readonly n: number;
  /** The leaves in ascending order (by rank), 8 words each. */
  readonly leaves: Int32Array;
  /** Rank → input index. */
  readonly order: Uint32Array;
  /** Inner nodes, positions 0..n-2, 8 words each. */
  readonly inner: Int32Array;
  /** The first four bytes of each digest (big-endian), in input order: the key proofs look digests up by. */
  readonly keys: Uint32Array;
}

const K = keccakBuffer();
const IO = K.bytes;
const W = K.words;

/** The first four bytes of the I/O buffer, big-endian. */
function ioPrefix(): number {
  return (((IO[0] as number) << 24) | ((IO[1] as number) << 16) | ((IO[2] as number) << 8) | (IO[3] as number)) >>> 0;
}

/**
 * Hashes each digest (0x-hex bytes32) into its leaf, keccak256(keccak256(digest)), in input order into
 * `leaves`; the digest's first four bytes go to `keys`, the leaf's to `prefix`. Returns the union of the
 * digests' {@link decodeBytes32} flags; throws INVALID_TREE at the first digest that is not a bytes32.
 */
export function hashLeaves(
  digests: readonly string[],
  leaves: Int32Array,
  keys: Uint32Array,
  prefix: Uint32Array,
): number {
  let flags = 0;
  for (let i = 0; i < digests.length; i++) {
    const f = decodeBytes32(digests[i], IO, 0);
    if (f & NOT_BYTES32) throw new InvalidArgumentError("INVALID_TREE", `digest ${i} is not bytes32`);
    flags |= f;
    keys[i] = ioPrefix();
    K.hash(32);
    K.hash(32);
    const o = i * 8;
    for (let j = 0; j < 8; j++) leaves[o + j] = W[j] as number;
    prefix[i] = ioPrefix();
  }
  return flags;
}

/** Copies the leaves hashed in input order (`byInput`) into `t.leaves` in rank order. */
export function placeLeaves(t: TreeNodes, byInput: Int32Array): void {
  const { leaves, order } = t;
  for (let k = 0; k < t.n; k++) {
    const o = (order[k] as number) * 8;
    for (let j = 0; j < 8; j++) leaves[k * 8 + j] = byInput[o + j] as number;
  }
}

/** Copies node `p` of `t` into the I/O buffer at word `at` (0: first half, 8: second half). */
function load(t: TreeNodes, p: number, at: number): void {
  const last = t.n - 1;
  const src = p < last ? t.inner : t.leaves;
  const o = (p < last ? p : 2 * last - p) * 8;
  for (let j = 0; j < 8; j++) W[at + j] = src[o + j] as number;
}

/** Puts the two nodes in the I/O buffer in ascending byte order, then hashes them: the parent is in W[0..8). */
function hashPair(): void {
  for (let j = 0; j < 32; j++) {
    const d = (IO[j] as number) - (IO[32 + j] as number);
    if (d === 0) continue;
    if (d > 0) {
      for (let w = 0; w < 8; w++) {
        const x = W[w] as number;
        W[w] = W[8 + w] as number;
        W[8 + w] = x;
      }
    }
    break;
  }
  K.hash(64);
}

/** Whether the I/O buffer's first 8 words equal inner node `i`. */
function holds(t: TreeNodes, i: number): boolean {
  const o = i * 8;
  for (let j = 0; j < 8; j++) if (W[j] !== t.inner[o + j]) return false;
  return true;
}

/** Computes every inner node of `t` from its children, bottom-up: n - 1 hashes. */
export function hashInner(t: TreeNodes): void {
  const inner = t.inner;
  for (let i = t.n - 2; i >= 0; i--) {
    load(t, 2 * i + 1, 0);
    load(t, 2 * i + 2, 8);
    hashPair();
    const o = i * 8;
    for (let j = 0; j < 8; j++) inner[o + j] = W[j] as number;
  }
}

/** Hashes every inner node of `t` again from its children and throws (our bug) if one differs. */
export function checkInner(t: TreeNodes): void {
  for (let i = t.n - 2; i >= 0; i--) {
    load(t, 2 * i + 1, 0);
    load(t, 2 * i + 2, 8);
    hashPair();
    invariant(holds(t, i), "an inner node is not the hash of its children");
  }
}

/** Inputs seen while checking the rank order, kept between checks. */
let seen = new Uint8Array(0);

/**
 * Checks that the rank order names every input exactly once, so that each digest's proof starts at its
 * own leaf (the lookup table and the proofs both read leaves through it).
 */
export function checkOrder(t: TreeNodes): void {
  const n = t.n;
  if (seen.length < n) seen = new Uint8Array(n);
  else seen.fill(0, 0, n);
  for (let k = 0; k < n; k++) {
    const i = t.order[k] as number;
    invariant(i < n && seen[i] === 0, "a leaf is not where its digest put it");
    seen[i] = 1;
  }
}

const PATH = new Int32Array(32);

/**
 * Checks the path of the leaf at position `p` by hashing it up (each step from our own previous result and
 * the sibling read from the tree) to a node already in `verified`, then marks the path and its siblings
 * verified: proving every leaf this way costs n - 1 hashes in all, not n log n.
 */
export function checkPath(t: TreeNodes, p: number, verified: Uint8Array): void {
  load(t, p, 0);
  let depth = 0;
  let i = p;
  while (!verified[i]) {
    PATH[depth++] = i;
    load(t, i % 2 === 1 ? i + 1 : i - 1, 8);
    hashPair();
    i = (i - 1) >> 1;
    invariant(holds(t, i), "a proof we built does not verify");
  }
  // Marked only once the whole path reached a verified node: a failure leaves nothing half-trusted.
  while (depth > 0) {
    const q = PATH[--depth] as number;
    verified[q] = 1;
    verified[q % 2 === 1 ? q + 1 : q - 1] = 1;
  }
}

/** The 32 bytes of node `p` (a copy). */
export function nodeBytes(t: TreeNodes, p: number): Uint8Array {
  load(t, p, 0);
  return IO.slice(0, 32);
}
