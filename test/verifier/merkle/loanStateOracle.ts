import { AbiCoder, keccak256, solidityPackedKeccak256 } from "ethers";

/**
 * A second, independent loan state tree for the tests (docs/formats.md, "Loan state tree"): ethers'
 * Solidity encoders instead of byte concatenation, keys as bigints, and the tree built by inserting keys
 * one at a time into an explicit node structure (not by splitting sets, as the verifier's reference does).
 */

const ZERO = "0x" + "00".repeat(32);

type Node =
  { kind: "leaf"; key: bigint; count: number; head: string } | { kind: "inner"; l: Node | null; r: Node | null };

const bit = (key: bigint, depth: number): number => Number((key >> BigInt(255 - depth)) & 1n);
const hex32 = (n: bigint): string => "0x" + n.toString(16).padStart(64, "0");

export function oracleKey(agreementId: string, loanId: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32"], [agreementId, loanId]));
}

export function oracleHead(digests: readonly string[]): string {
  let head = ZERO;
  for (const d of digests) head = keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32"], [head, d]));
  return head;
}

export function oracleLeaf(key: string, count: number, head: string): string {
  return solidityPackedKeccak256(["bytes1", "bytes32", "uint256", "bytes32"], ["0x00", key, count, head]);
}

export function oracleInner(l: string, r: string): string {
  return solidityPackedKeccak256(["bytes1", "bytes32", "bytes32"], ["0x01", l, r]);
}

function insert(node: Node | null, leaf: Node & { kind: "leaf" }, depth: number): Node {
  if (node === null) return leaf;
  if (node.kind === "leaf") {
    if (node.key === leaf.key) return leaf;
    // Two leaves meet: push the old one down one level and insert again.
    const inner: Node = { kind: "inner", l: null, r: null };
    if (bit(node.key, depth) === 0) inner.l = node;
    else inner.r = node;
    return insert(inner, leaf, depth);
  }
  if (bit(leaf.key, depth) === 0) node.l = insert(node.l, leaf, depth + 1);
  else node.r = insert(node.r, leaf, depth + 1);
  return node;
}

function hashOf(node: Node | null): string {
  if (node === null) return ZERO;
  if (node.kind === "leaf") return oracleLeaf(hex32(node.key), node.count, node.head);
  return oracleInner(hashOf(node.l), hashOf(node.r));
}

export interface OracleTree {
  root: string;
  proof(key: string): string[];
}

export function oracleTree(entries: readonly { key: string; count: number; head: string }[]): OracleTree {
  let root: Node | null = null;
  for (const e of entries) root = insert(root, { kind: "leaf", key: BigInt(e.key), count: e.count, head: e.head }, 0);
  return {
    root: hashOf(root),
    proof(key: string): string[] {
      const k = BigInt(key);
      const path: string[] = [];
      let node = root;
      for (let depth = 0; node !== null && node.kind === "inner"; depth++) {
        const b = bit(k, depth);
        path.push(hashOf(b === 0 ? node.r : node.l));
        node = b === 0 ? node.l : node.r;
      }
      if (node === null || node.key !== k) throw new Error(`${key} is not in the tree`);
      return path.reverse();
    },
  };
}
