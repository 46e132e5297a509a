import { InvalidArgumentError } from "../errors";
import { fromHex, isBytes32, toHex } from "../formats/hex";
import { keccak256 } from "../crypto/keccak";

/**
 * The loan state tree (docs/formats.md, "Loan state tree"), plainly: a sparse merkle tree of depth 256
 * keyed by `keccak256(abi.encode(agreementId, loanId))`, each key's value `(count, head)`. Written to be
 * read against the specification and to run anywhere (browser included); the service's store-backed
 * engine is held equal to it by property tests.
 *
 * - empty subtree: `0x00…0`
 * - leaf: `keccak256(0x00 ‖ key ‖ uint256(count) ‖ head)` (97 bytes)
 * - inner: `keccak256(0x01 ‖ left ‖ right)` (65 bytes)
 * - a subtree holding exactly one leaf is that leaf's hash: a leaf sits at the first depth where it is alone
 * - bit `d` of the key (from the most significant) picks the child at depth `d + 1`: 0 left, 1 right
 */

export const ZERO32 = "0x" + "00".repeat(32);
/** Proofs longer than the key has bits cannot be valid. */
export const MAX_STATE_PROOF = 256;

/** A key's value: how many of its receipts were anchored, and the hash chain over them. */
export interface LoanStateEntry {
  key: string;
  count: number;
  head: string;
}

/** A proof that `key` has value `(count, head)` in a state root: the siblings from the leaf up. */
export interface LoanStateProof extends LoanStateEntry {
  siblings: string[];
}

function bytes32(v: unknown, what: string): Buffer {
  if (!isBytes32(v)) throw new InvalidArgumentError("INVALID_PROOF", `${what} must be bytes32`);
  return fromHex(v);
}

function uint256(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("INVALID_PROOF", "count must be ≥ 1");
  const out = Buffer.alloc(32);
  out.writeUIntBE(n, 26, 6);
  return out;
}

/** `keccak256(abi.encode(bytes32 agreementId, bytes32 loanId))`: where a loan sits in the tree. */
export function loanStateKey(agreementId: string, loanId: string): string {
  return toHex(keccak256(Buffer.concat([bytes32(agreementId, "agreementId"), bytes32(loanId, "loanId")])));
}

/** One step of a loan's hash chain: `keccak256(abi.encode(head, digest))`; the chain starts at zero. */
export function nextHead(head: string, digest: string): string {
  return toHex(keccak256(Buffer.concat([bytes32(head, "head"), bytes32(digest, "digest")])));
}

/** The head after `digests` (in anchoring order), from zero. */
export function chainHead(digests: readonly string[]): string {
  return digests.reduce(nextHead, ZERO32);
}

/** The leaf hash of a key's value. */
export function loanStateLeaf(key: string, count: number, head: string): string {
  const bytes = Buffer.concat([Buffer.of(0), bytes32(key, "key"), uint256(count), bytes32(head, "head")]);
  return toHex(keccak256(bytes));
}

/** The hash of an inner node. */
export function loanStateInner(left: string, right: string): string {
  return toHex(keccak256(Buffer.concat([Buffer.of(1), bytes32(left, "sibling"), bytes32(right, "sibling")])));
}

/** Bit `depth` of a bytes32 (0 = the most significant). */
export function keyBit(key: string, depth: number): number {
  return (parseInt(key[2 + (depth >> 2)] as string, 16) >> (3 - (depth & 3))) & 1;
}

/** The root the proof leads to (it does not compare it with anything). */
export function processLoanStateProof(p: LoanStateProof): string {
  if (!Array.isArray(p.siblings) || p.siblings.length > MAX_STATE_PROOF) {
    throw new InvalidArgumentError("INVALID_PROOF", `a state proof has at most ${MAX_STATE_PROOF} siblings`);
  }
  // One buffer for every inner node: tag, then the two children (the accumulator on its side).
  const node = Buffer.alloc(65);
  node[0] = 1;
  let acc = fromHex(loanStateLeaf(p.key, p.count, p.head));
  for (let i = 0; i < p.siblings.length; i++) {
    const right = keyBit(p.key, p.siblings.length - 1 - i) === 1;
    node.set(bytes32(p.siblings[i], "sibling"), right ? 1 : 33);
    node.set(acc, right ? 33 : 1);
    acc = keccak256(node);
  }
  return toHex(acc);
}

/** Whether `proof` shows its key holding `(count, head)` under `root`. */
export function verifyLoanStateProof(root: string, proof: LoanStateProof): boolean {
  if (!isBytes32(root)) return false;
  try {
    return processLoanStateProof(proof) === root.toLowerCase();
  } catch {
    return false;
  }
}

/** The root of the subtree at `depth` holding `entries` (all sharing the path to it). */
function subtree(entries: readonly LoanStateEntry[], depth: number): string {
  if (entries.length === 0) return ZERO32;
  const first = entries[0] as LoanStateEntry;
  if (entries.length === 1) return loanStateLeaf(first.key, first.count, first.head);
  if (depth === 256) throw new InvalidArgumentError("INVALID_TREE", `duplicate key ${first.key}`);
  const left = entries.filter((e) => keyBit(e.key, depth) === 0);
  const right = entries.filter((e) => keyBit(e.key, depth) === 1);
  return loanStateInner(subtree(left, depth + 1), subtree(right, depth + 1));
}

function normalised(entries: readonly LoanStateEntry[]): LoanStateEntry[] {
  return entries.map((e) => ({ key: e.key.toLowerCase(), count: e.count, head: e.head.toLowerCase() }));
}

/** The state root of `entries` (distinct keys); zero for none. */
export function loanStateRoot(entries: readonly LoanStateEntry[]): string {
  return subtree(normalised(entries), 0);
}

/** The proof of `key`'s value among `entries` (it must be one of them). */
export function loanStateProof(entries: readonly LoanStateEntry[], key: string): LoanStateProof {
  let here = normalised(entries);
  const k = key.toLowerCase();
  const own = here.find((e) => e.key === k);
  if (!own) throw new InvalidArgumentError("INVALID_PROOF", `${key} is not in the state`);
  const siblings: string[] = [];
  for (let depth = 0; here.length > 1; depth++) {
    const bit = keyBit(k, depth);
    siblings.unshift(
      subtree(
        here.filter((e) => keyBit(e.key, depth) !== bit),
        depth + 1,
      ),
    );
    here = here.filter((e) => keyBit(e.key, depth) === bit);
  }
  return { ...own, siblings };
}
