import type { StateNode } from "./records";

/**
 * The loan state tree's nodes on disk (LevelDB's `smt` sublevel, PostgreSQL's rp_state_nodes), compact (disk per loan is a budget, docs/benchmarks.md): base64url
 * of the raw bytes, no padding. `<` + left (the right child is empty), `>` + right (the left is), left ‖
 * right, or `=` + key ‖ head then the count in decimal for a leaf.
 */
const ZERO = "0x" + "00".repeat(32);
const b64 = (hex: string): string => Buffer.from(hex.slice(2), "hex").toString("base64url");
const hex = (b64url: string): string => "0x" + Buffer.from(b64url, "base64url").toString("hex");

export function encodeStateNode(node: StateNode): string {
  if ("key" in node)
    return "=" + Buffer.from(node.key.slice(2) + node.head.slice(2), "hex").toString("base64url") + node.count;
  if (node.right === ZERO) return "<" + b64(node.left);
  if (node.left === ZERO) return ">" + b64(node.right);
  return Buffer.from(node.left.slice(2) + node.right.slice(2), "hex").toString("base64url");
}

export function decodeStateNode(v: string): StateNode {
  switch (v[0]) {
    case "<":
      return { left: hex(v.slice(1)), right: ZERO };
    case ">":
      return { left: ZERO, right: hex(v.slice(1)) };
    case "=": {
      const both = hex(v.slice(1, 87));
      return { key: both.slice(0, 66), head: "0x" + both.slice(66), count: Number(v.slice(87)) };
    }
    default: {
      const both = hex(v);
      return { left: both.slice(0, 66), right: "0x" + both.slice(66) };
    }
  }
}
