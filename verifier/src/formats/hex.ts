import { keccak256 } from "../crypto/keccak";

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export function isBytes32(v: unknown): v is string {
  return typeof v === "string" && BYTES32.test(v);
}

export function isAddress(v: unknown): v is string {
  return typeof v === "string" && ADDRESS.test(v);
}

/** 0x-hex → bytes (no validation: callers validate at their edge). */
export function fromHex(hex: string): Buffer {
  return Buffer.from(hex.slice(2), "hex");
}

export function toHex(bytes: Uint8Array): string {
  return "0x" + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** EIP-55 mixed-case checksum form of a 0x-hex address (any case in). */
export function checksumAddress(address: string): string {
  const chars = Buffer.from(address.slice(2).toLowerCase(), "latin1");
  const hash = keccak256(chars);
  // Upper-case the letters whose nibble of the hash is 8 or more, in place (one string at the end).
  for (let i = 0; i < chars.length; i++) {
    const nibble = ((hash[i >> 1] as number) >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    const c = chars[i] as number;
    if (nibble >= 8 && c >= 0x61 && c <= 0x7a) chars[i] = c - 0x20;
  }
  return "0x" + chars.toString("latin1");
}
