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
  const lower = address.slice(2).toLowerCase();
  const hash = keccak256(Buffer.from(lower, "ascii"));
  let out = "0x";
  for (let i = 0; i < 40; i++) {
    const c = lower[i] as string;
    const nibble = ((hash[i >> 1] as number) >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    out += nibble >= 8 ? c.toUpperCase() : c;
  }
  return out;
}
