import { InvalidArgumentError, invariant } from "../errors";
import { fromHex, isBytes32, toHex } from "../formats/hex";
import { keccak256 } from "../crypto/keccak";
import { keccakBuffer } from "../crypto/keccakBuffer";

/**
 * Merkle trees of receipt digests, identical to OpenZeppelin's `StandardMerkleTree.of(digests.map(d => [d]),
 * ["bytes32"])`: leaf = keccak256(keccak256(abi.encode(digest))), leaves sorted, pairs hashed sorted, the
 * same array layout (so the same root and the same proofs). Built over one flat array of 32-bit words
 * without ABI encoding or per-node allocation, it does the 3n - 1 keccaks and little else: every hash is
 * one call into WebAssembly on its I/O buffer (./keccakBuffer), nodes move in and out eight words at a time.
 */

const K = keccakBuffer();
const IO = K.bytes;
const IO_WORDS = K.words;
const IO_HEX = Buffer.from(IO.buffer, IO.byteOffset, 32);
const PAIR = new Int32Array(16);
const PAIR_BYTES = new Uint8Array(PAIR.buffer);

// Hex digit values by char code (-1 for anything else), so decoding also validates.
const HEX = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) HEX[65 + c] = HEX[97 + c] = 10 + c;

/**
 * Decodes a 0x-hex bytes32 (exactly what `isBytes32` accepts) into `out` at `at`. Returns 0 when it is not
 * one, 1 when it is in lower case, 2 when it has upper-case digits (so callers lower-case only those).
 */
function decode32(s: unknown, out: Uint8Array, at: number): number {
  if (typeof s !== "string" || s.length !== 66 || s.charCodeAt(0) !== 48 || s.charCodeAt(1) !== 120) return 0;
  let upper = 0;
  for (let j = 0; j < 32; j++) {
    const hi = s.charCodeAt(2 + 2 * j);
    const lo = s.charCodeAt(3 + 2 * j);
    const v = (((hi < 128 ? HEX[hi] : -1) as number) << 4) | ((lo < 128 ? HEX[lo] : -1) as number);
    if (v < 0) return 0;
    upper |= (hi - 65) >>> 0 < 6 || (lo - 65) >>> 0 < 6 ? 1 : 0;
    out[at + j] = v;
  }
  return upper ? 2 : 1;
}

/** The two hex digits of each byte value as one 16-bit unit, laid out so that memory holds them in order. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HEX_PAIRS = new Uint16Array(256);
for (let b = 0; b < 256; b++) {
  const d = "0123456789abcdef";
  const [first, second] = LITTLE_ENDIAN ? [b >> 4, b & 15] : [b & 15, b >> 4];
  HEX_PAIRS[b] = d.charCodeAt(first) | (d.charCodeAt(second) << 8);
}

/** `0x`-hex of the first `count` 32-byte nodes of `bytes`, concatenated (66 characters each), as one string. */
function hexAll(bytes: Uint8Array, count: number): string {
  const out = Buffer.allocUnsafeSlow(count * 66);
  const units = new Uint16Array(out.buffer, out.byteOffset, (count * 66) >> 1);
  for (let i = 0; i < count; i++) {
    let u = i * 33;
    units[u++] = 0x7830; // "0x"
    const o = i * 32;
    for (let j = 0; j < 32; j++) units[u++] = HEX_PAIRS[bytes[o + j] as number] as number;
  }
  return out.toString("latin1");
}

/** Byte order of the 32-byte nodes at word offsets `a` and `b` of `bytes`' words: negative when a < b. */
function compareNodes(bytes: Uint8Array, a: number, b: number): number {
  const x = a * 4;
  const y = b * 4;
  for (let j = 0; j < 32; j++) {
    const d = (bytes[x + j] as number) - (bytes[y + j] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/** Hashes the sorted pair of nodes at word offsets `a`, `b` of `words` into the I/O buffer's first 32 bytes. */
function hashPairAt(words: Int32Array, bytes: Uint8Array, a: number, b: number): void {
  if (compareNodes(bytes, a, b) > 0) [a, b] = [b, a];
  for (let j = 0; j < 8; j++) {
    IO_WORDS[j] = words[a + j] as number;
    IO_WORDS[8 + j] = words[b + j] as number;
  }
  K.hash(64);
}

/** The leaf of a digest: `keccak256(bytes.concat(keccak256(abi.encode(bytes32 digest))))`. */
export function leafHash(digest: Uint8Array): Buffer {
  if (digest.length !== 32) return keccak256(keccak256(digest));
  IO.set(digest);
  K.hash(32);
  K.hash(32);
  return Buffer.from(IO.subarray(0, 32));
}

export interface MerkleTree {
  /** The root, 0x-hex. */
  readonly root: string;
  /** Number of leaves. */
  readonly count: number;
  /** The proof (sibling hashes from the leaf up) of `digest`; throws INVALID_PROOF when it is not a leaf. */
  proof(digest: string): string[];
  /** All leaves' digests, in tree order. */
  readonly digests: readonly string[];
}

/** Indices 0..n-1 ordered by the leaves (8 words each in `leaves`), ascending bytewise. */
function sortLeaves(leaves: Int32Array, leafBytes: Uint8Array, n: number): Uint32Array {
  const full = (x: number, y: number): number => compareNodes(leafBytes, x * 8, y * 8);
  const order = new Uint32Array(n);
  // Above 2^21 leaves an index no longer fits beside a 32-bit key in a double's 53 bits: sort generically.
  if (n > 1 << 21) {
    for (let i = 0; i < n; i++) order[i] = i;
    return order.sort(full);
  }
  // Sort doubles (first 4 leaf bytes × 2^21 + index) natively, then order runs of equal prefixes fully.
  const SHIFT = 1 << 21;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * 32;
    const prefix =
      (leafBytes[o] as number) * 0x1000000 +
      (((leafBytes[o + 1] as number) << 16) | ((leafBytes[o + 2] as number) << 8) | (leafBytes[o + 3] as number));
    keys[i] = prefix * SHIFT + i;
  }
  keys.sort();
  for (let k = 0; k < n; k++) order[k] = (keys[k] as number) % SHIFT;
  for (let k = 1; k < n; k++) {
    if (Math.floor((keys[k] as number) / SHIFT) !== Math.floor((keys[k - 1] as number) / SHIFT)) continue;
    let end = k + 1;
    while (end < n && Math.floor((keys[end] as number) / SHIFT) === Math.floor((keys[k] as number) / SHIFT)) end++;
    order.subarray(k - 1, end).sort(full);
    k = end - 1;
  }
  return order;
}

/** A 32-bit key from hex digits 2..9 of a 0x-hex string (either case), or -1 when they are not hex. */
function hexKey(s: string): number {
  let key = 0;
  for (let j = 2; j < 10; j++) {
    const c = s.charCodeAt(j);
    const v = c < 128 ? (HEX[c] as number) : -1;
    if (v < 0) return -1;
    key = (key << 4) | v;
  }
  return Math.imul(key, 0x9e3779b1) >>> 0;
}

/**
 * digest → input index, as an open-addressing table of input index + 1 keyed on the digest's first 32 bits
 * (digests are hashes, so they spread): an eighth of a Map's memory and no string hashing at a million leaves.
 */
function digestTable(digests: readonly string[], n: number): Int32Array {
  const table = new Int32Array(1 << (33 - Math.clz32(n)));
  const mask = table.length - 1;
  for (let i = 0; i < n; i++) {
    let slot = hexKey(digests[i] as string) & mask;
    while (table[slot] !== 0) slot = (slot + 1) & mask;
    table[slot] = i + 1;
  }
  return table;
}

/** The input index of `digest` in `table` (-1 when absent); `lowerOf(i)` is input i's lower-case digest. */
function lookup(table: Int32Array, digest: string, lowerOf: (i: number) => string): number {
  if (typeof digest !== "string") throw new TypeError("a digest is a 0x-hex string");
  const key = digest.length === 66 ? hexKey(digest) : -1;
  if (key < 0) return -1;
  let lower: string | undefined;
  const mask = table.length - 1;
  for (let slot = key & mask; table[slot] !== 0; slot = (slot + 1) & mask) {
    const i = (table[slot] as number) - 1;
    const candidate = lowerOf(i);
    if (candidate === digest || candidate === (lower ??= digest.toLowerCase())) return i;
  }
  return -1;
}

/** Builds the tree of `digests` (0x-hex bytes32, distinct). */
export function buildTree(digests: readonly string[]): MerkleTree {
  const n = digests.length;
  if (n === 0) throw new InvalidArgumentError("INVALID_TREE", "a tree needs at least one leaf");
  // Leaves in input order: decode each digest straight into the hash buffer, hash twice in place.
  const leaves = new Int32Array(n * 8);
  let upper = false;
  const leafBytes = new Uint8Array(leaves.buffer);
  for (let i = 0; i < n; i++) {
    const kind = decode32(digests[i], IO, 0);
    if (kind === 0) throw new InvalidArgumentError("INVALID_TREE", `digest ${i} is not bytes32`);
    if (kind === 2) upper = true;
    K.hash(32);
    K.hash(32);
    for (let j = 0; j < 8; j++) leaves[i * 8 + j] = IO_WORDS[j] as number;
  }
  const order = sortLeaves(leaves, leafBytes, n);

  // OpenZeppelin layout: node i has children 2i+1 and 2i+2; leaf k (sorted) sits at size - 1 - k.
  const size = 2 * n - 1;
  const nodes = new Int32Array(size * 8);
  const bytes = new Uint8Array(nodes.buffer);
  const ordered: string[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const src = order[k] as number;
    if (k > 0 && compareNodes(leafBytes, src * 8, (order[k - 1] as number) * 8) === 0) {
      throw new InvalidArgumentError("INVALID_TREE", `duplicate digest ${(digests[src] as string).toLowerCase()}`);
    }
    for (let j = 0; j < 8; j++) nodes[(size - 1 - k) * 8 + j] = leaves[src * 8 + j] as number;
    ordered[k] = upper ? (digests[src] as string).toLowerCase() : (digests[src] as string);
  }
  for (let i = n - 2; i >= 0; i--) {
    hashPairAt(nodes, bytes, (2 * i + 1) * 8, (2 * i + 2) * 8);
    for (let j = 0; j < 8; j++) nodes[i * 8 + j] = IO_WORDS[j] as number;
  }
  const root = "0x" + Buffer.from(nodes.buffer, 0, 32).toString("hex");
  // Proof elements are slices of one string holding every node's hex, made on the first proof: one
  // encoding pass instead of a conversion (and a string) per node per proof.
  let allHex: string | undefined;
  const hexOf = (i: number): string => (allHex as string).slice(i * 66, i * 66 + 66);

  // Built on the first proof: digest → input index, and input index → tree position (the inverse of the
  // placement above, computed separately so that the check below compares two derivations).
  let table: Int32Array | undefined;
  let positionOf: Uint32Array | undefined;
  // A node is verified once some proof through it (or through its sibling) hashed up to the root; later
  // proofs stop there, so proving every leaf costs n - 1 hashes in all (one per inner node), not n log n.
  const verified = new Uint8Array(size);
  verified[0] = 1;
  const path = new Int32Array(32);

  /** Checks the proof path of the leaf at `leafPos` (whose leaf we computed from digest `index`). */
  function check(index: number, leafPos: number): void {
    for (let j = 0; j < 8; j++) {
      invariant(nodes[leafPos * 8 + j] === leaves[index * 8 + j], "a leaf is not where its digest put it");
    }
    // PAIR holds (acc, sibling): acc from our own previous step, the sibling read from the tree.
    for (let j = 0; j < 8; j++) PAIR[j] = nodes[leafPos * 8 + j] as number;
    let depth = 0;
    let i = leafPos;
    while (!verified[i]) {
      path[depth++] = i;
      const sibling = i % 2 === 1 ? i + 1 : i - 1;
      const parent = (i - 1) >> 1;
      for (let j = 0; j < 8; j++) PAIR[8 + j] = nodes[sibling * 8 + j] as number;
      hashPairAt(PAIR, PAIR_BYTES, 0, 8);
      for (let j = 0; j < 8; j++) {
        PAIR[j] = IO_WORDS[j] as number;
        invariant(PAIR[j] === nodes[parent * 8 + j], "a proof we built does not verify");
      }
      i = parent;
    }
    // Marked only now that the whole path reached a verified node: a failure leaves nothing half-trusted.
    // The sibling is proven too: its own path is this one with our node as its first element.
    while (depth > 0) {
      const p = path[--depth] as number;
      verified[p] = 1;
      verified[p % 2 === 1 ? p + 1 : p - 1] = 1;
    }
  }

  return {
    root,
    count: n,
    digests: ordered,
    proof(digest: string): string[] {
      if (!table || !positionOf || allHex === undefined) {
        allHex = hexAll(bytes, size);
        positionOf = new Uint32Array(n);
        for (let k = 0; k < n; k++) positionOf[order[k] as number] = size - 1 - k;
        table = digestTable(digests, n);
      }
      const index = lookup(table, digest, (i) => ordered[size - 1 - (positionOf as Uint32Array)[i]!] as string);
      if (index < 0) throw new InvalidArgumentError("INVALID_PROOF", `${digest} is not a leaf of this tree`);
      const leafPos = positionOf[index] as number;
      const proof: string[] = new Array(31 - Math.clz32(leafPos + 1));
      let depth = 0;
      for (let i = leafPos; i > 0; i = (i - 1) >> 1) proof[depth++] = hexOf(i % 2 === 1 ? i + 1 : i - 1);
      check(index, leafPos);
      return proof;
    },
  };
}

/** Runs `proof` from the digest in the I/O buffer's first 32 bytes; leaves the root there. */
function accumulate(proof: readonly string[]): void {
  K.hash(32);
  K.hash(32);
  for (const p of proof) {
    // The accumulator sits in the buffer's first half; the element goes in the second, then they are ordered.
    if (!decode32(p, IO, 32)) throw new InvalidArgumentError("INVALID_PROOF", "proof elements must be bytes32");
    if (compareNodes(IO, 0, 8) > 0) {
      for (let j = 0; j < 8; j++) {
        const t = IO_WORDS[j] as number;
        IO_WORDS[j] = IO_WORDS[8 + j] as number;
        IO_WORDS[8 + j] = t;
      }
    }
    K.hash(64);
  }
}

/** The root `proof` leads to from `digest`'s leaf (proof elements 0x-hex bytes32). */
export function processProof(digest: string, proof: readonly string[]): string {
  if (!decode32(digest, IO, 0)) return processProofSlow(digest, proof);
  accumulate(proof);
  return "0x" + IO_HEX.toString("hex", 0, 32);
}

const ROOT = new Uint8Array(32);

/** Whether `proof` proves `digest` is a leaf of the tree with `root`. */
export function verifyProof(root: string, digest: string, proof: readonly string[]): boolean {
  if (!decode32(root, ROOT, 0) || !decode32(digest, IO, 0)) {
    return processProof(digest, proof).toLowerCase() === root.toLowerCase();
  }
  accumulate(proof);
  for (let j = 0; j < 32; j++) if (IO[j] !== ROOT[j]) return false;
  return true;
}

/** The reference form of {@link processProof}, for digests that are not bytes32 (kept for identical output). */
function processProofSlow(digest: string, proof: readonly string[]): string {
  let acc = keccak256(keccak256(fromHex(digest)));
  for (const p of proof) {
    if (!isBytes32(p)) throw new InvalidArgumentError("INVALID_PROOF", "proof elements must be bytes32");
    const b = fromHex(p);
    const [x, y] = Buffer.compare(acc, b) <= 0 ? [acc, b] : [b, acc];
    acc = keccak256(Buffer.concat([x, y]));
  }
  return toHex(acc);
}
