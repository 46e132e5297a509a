/**
 * Hex in and out of the merkle engine, by tables: a digest's 64 hex digits decode two characters per
 * lookup, and nodes encode two bytes per 32-bit store. Both tables are built through byte views, so they
 * hold on either endianness.
 */

/** {@link decodeBytes32} flags: the string is not a 0x-hex bytes32 / it has upper-case hex digits. */
export const NOT_BYTES32 = 0x200;
export const UPPER_CASE = 0x100;

/** Characters c0, c1 (both < 256) at index c0 << 8 | c1 → their byte value, | UPPER_CASE, or NOT_BYTES32. */
const DECODE = new Uint16Array(65536).fill(NOT_BYTES32);
{
  const value = (c: number): number => {
    if (c >= 48 && c <= 57) return c - 48;
    if (c >= 97 && c <= 102) return c - 87;
    if (c >= 65 && c <= 70) return c - 55;
    return -1;
  };
  for (let c0 = 0; c0 < 256; c0++) {
    for (let c1 = 0; c1 < 256; c1++) {
      const hi = value(c0);
      const lo = value(c1);
      if (hi < 0 || lo < 0) continue;
      const upper = c0 >= 65 && c0 <= 70 ? UPPER_CASE : c1 >= 65 && c1 <= 70 ? UPPER_CASE : 0;
      DECODE[(c0 << 8) | c1] = (hi << 4) | lo | upper;
    }
  }
}

/**
 * Decodes a 0x-hex bytes32 (exactly what `isBytes32` accepts) into `out[at..at+32)`. Returns the union of
 * the flags: NOT_BYTES32 when it is not one (then `out` holds garbage), UPPER_CASE when it has upper-case
 * digits, 0 for a lower-case bytes32.
 */
export function decodeBytes32(s: unknown, out: Uint8Array, at: number): number {
  if (typeof s !== "string" || s.length !== 66 || s.charCodeAt(0) !== 48 || s.charCodeAt(1) !== 120) {
    return NOT_BYTES32;
  }
  let flags = 0;
  let wide = 0;
  for (let j = 0; j < 32; j++) {
    const c0 = s.charCodeAt(2 + 2 * j);
    const c1 = s.charCodeAt(3 + 2 * j);
    wide |= c0 | c1;
    const t = DECODE[((c0 << 8) | c1) & 0xffff] as number;
    flags |= t;
    out[at + j] = t;
  }
  // A character above 255 would alias a hex digit in the table's 16-bit index: reject it here.
  return wide > 255 ? NOT_BYTES32 : flags & (NOT_BYTES32 | UPPER_CASE);
}

/**
 * The first four bytes of a 0x-hex bytes32 (either case) as an unsigned 32-bit number, or -1 when its
 * digits 2..9 are not hex: a lookup key for digests, which spread evenly.
 */
export function prefixKey(s: string): number {
  let key = 0;
  let flags = 0;
  let wide = 0;
  for (let j = 0; j < 4; j++) {
    const c0 = s.charCodeAt(2 + 2 * j);
    const c1 = s.charCodeAt(3 + 2 * j);
    wide |= c0 | c1;
    const t = DECODE[((c0 << 8) | c1) & 0xffff] as number;
    flags |= t;
    key = (key << 8) | (t & 0xff);
  }
  return wide > 255 || flags & NOT_BYTES32 ? -1 : key >>> 0;
}

/** Two bytes, as a 16-bit unit read from memory → their four hex digits, as a 32-bit unit to store. */
const ENCODE = new Uint32Array(65536);
{
  const digits = "0123456789abcdef";
  const unit16 = new Uint16Array(1);
  const in8 = new Uint8Array(unit16.buffer);
  const unit32 = new Uint32Array(1);
  const out8 = new Uint8Array(unit32.buffer);
  for (let x = 0; x < 256; x++) {
    for (let y = 0; y < 256; y++) {
      in8[0] = x;
      in8[1] = y;
      out8[0] = digits.charCodeAt(x >> 4);
      out8[1] = digits.charCodeAt(x & 15);
      out8[2] = digits.charCodeAt(y >> 4);
      out8[3] = digits.charCodeAt(y & 15);
      ENCODE[unit16[0] as number] = unit32[0] as number;
    }
  }
}

/**
 * Hex of 32-byte nodes laid end to end, 68 characters per node: two spaces, then the node's 0x-hex from
 * {@link hexOffset}. The padding keeps every node's digits 4-byte aligned, so each 32-bit store writes four
 * of them; callers slice out the 66 characters they need.
 */
export const HEX_STRIDE = 68;
const PREFIX = new Uint32Array(new Uint8Array([32, 32, 48, 120]).buffer)[0] as number; // "  0x"

/** Where node `k` of a {@link HexWriter}'s string starts its `0x`. */
export function hexOffset(k: number): number {
  return k * HEX_STRIDE + 2;
}

/** Writes nodes' hex into a buffer kept between uses, then reads it out as one string. */
export class HexWriter {
  private readonly words: Uint32Array;
  private readonly bytes: Buffer;

  /** A writer of up to `capacity` nodes at a time. */
  constructor(capacity: number) {
    this.words = new Uint32Array(capacity * (HEX_STRIDE / 4));
    this.bytes = Buffer.from(this.words.buffer);
  }

  /** Writes node `k` of the string: the 16 units of `units` from `at`. */
  put(k: number, units: Uint16Array, at: number): void {
    const out = this.words;
    let w = k * (HEX_STRIDE / 4);
    out[w++] = PREFIX;
    for (let j = 0; j < 16; j++) out[w++] = ENCODE[units[at + j] as number] as number;
  }

  /** The first `count` nodes written, as one string. */
  read(count: number): string {
    return latin1(this.bytes, count * HEX_STRIDE);
  }
}

/**
 * The first `end` bytes of `b` as a latin1 string. Node's Buffer has the reader `toString` ends in,
 * `latin1Slice`, and calling it directly skips the argument handling (a proof makes one such string);
 * other Buffer implementations get `toString`.
 */
interface NodeBuffer {
  latin1Slice(start: number, end: number): string;
}
const hasLatin1Slice = typeof (Buffer.prototype as Partial<NodeBuffer>).latin1Slice === "function";
function latin1(b: Buffer, end: number): string {
  return hasLatin1Slice ? (b as unknown as NodeBuffer).latin1Slice(0, end) : b.toString("latin1", 0, end);
}

/** `0x`-hex of the 32 bytes at byte offset `at` of `bytes`. */
export function hex32(bytes: Uint8Array, at: number): string {
  return "0x" + Buffer.from(bytes.buffer, bytes.byteOffset + at, 32).toString("hex");
}
