import { keccakBuffer } from "@repayproof/verifier/core";

/**
 * The loan state tree's hashes (docs/formats.md, "Loan state tree") on the verifier's keccak I/O buffer:
 * one call into WebAssembly per hash, hex written straight into it. The plain definitions are the
 * verifier's (merkle/loanState.ts); property tests hold these equal to them.
 */
const K = keccakBuffer();
const IO = Buffer.from(K.bytes.buffer, K.bytes.byteOffset, 128);

export const ZERO = "0x" + "00".repeat(32);

const out = (): string => "0x" + IO.toString("hex", 0, 32);

/** `keccak256(0x00 ‖ key ‖ uint256(count) ‖ head)`. */
export function leafHash(key: string, count: number, head: string): string {
  IO[0] = 0;
  IO.write(key.slice(2), 1, "hex");
  IO.fill(0, 33, 59);
  IO.writeUIntBE(count, 59, 6);
  IO.write(head.slice(2), 65, "hex");
  K.hash(97);
  return out();
}

/** `keccak256(0x01 ‖ left ‖ right)`. */
export function innerHash(left: string, right: string): string {
  IO[0] = 1;
  IO.write(left.slice(2), 1, "hex");
  IO.write(right.slice(2), 33, "hex");
  K.hash(65);
  return out();
}

/** The head after `digests`, from `head`: `keccak256(head ‖ digest)` each. */
export function extendHead(head: string, digests: readonly string[]): string {
  if (digests.length === 0) return head;
  IO.write(head.slice(2), 0, "hex");
  for (const d of digests) {
    IO.write(d.slice(2), 32, "hex");
    K.hash(64);
  }
  return out();
}

/** Bit `depth` of a 0x-hex key (0 = the most significant). */
export function bitOf(key: string, depth: number): number {
  return (parseInt(key[2 + (depth >> 2)] as string, 16) >> (3 - (depth & 3))) & 1;
}

const NIBBLE_MASK = [0xf, 0x8, 0xc, 0xe];

/**
 * Where the node at `depth` on `key`'s path is stored: "" for the root, else depth − 1 in two hex digits
 * and the path's bits as hex nibbles (the unused low bits of the last one zero). At most 67 characters.
 */
export function pathOf(key: string, depth: number): string {
  if (depth === 0) return "";
  const nibbles = (depth + 3) >> 2;
  const last = parseInt(key[1 + nibbles] as string, 16) & (NIBBLE_MASK[depth & 3] as number);
  return (depth - 1).toString(16).padStart(2, "0") + key.slice(2, 1 + nibbles) + last.toString(16);
}
