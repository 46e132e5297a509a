import { InvalidArgumentError } from "../errors";
import { checksumAddress, isAddress, isBytes32 } from "./hex";

/**
 * Field parsers for untrusted JSON (receipts, bundles, Acks, timelines): each checks one field and throws
 * `InvalidArgumentError("INVALID_FIELD")` naming it by its path in the input (`receipt.amount`, `proof[3]`).
 * Shared so every format refuses the same things alike and names the field the same way.
 */

/** Longest signature accepted (ERC-1271 wallets may sign with more than 65 bytes). */
export const MAX_SIGNATURE_BYTES = 4096;
/** Largest uint32 (installments, counts, terms' seconds). */
export const MAX_UINT32 = 0xffffffff;
/** Deepest merkle proof accepted (a receipt's or an Ack's): a tree of 2^64 leaves. Longer ones are refused before any hashing. */
export const MAX_PROOF_LENGTH = 64;
const HEX_BYTES = /^0x(?:[0-9a-fA-F]{2})*$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** Refuses the input at `field` (its path from the input's root) with `message`. */
export function fail(field: string, message: string): never {
  throw new InvalidArgumentError("INVALID_FIELD", `${field}: ${message}`, field);
}

/** Runs a nested parser and re-throws its InvalidArgumentError with the field's path under `prefix`. */
export function under<T>(prefix: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof InvalidArgumentError) {
      throw new InvalidArgumentError(e.code, `${prefix}.${e.message}`, `${prefix}.${e.field ?? ""}`);
    }
    throw e;
  }
}

/** An object with exactly `keys` (all required) plus `optional` ones; anything else is refused. */
export function object(
  v: unknown,
  field: string,
  keys: readonly string[],
  optional: readonly string[] = [],
): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(field, "expected an object");
  const o = v as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!keys.includes(key) && !optional.includes(key)) fail(`${field}.${key}`, "unknown field");
  }
  for (const key of keys) if (!(key in o)) fail(`${field}.${key}`, "missing");
  return o;
}

/** An array of at most `max` elements (checked before any element is read). */
export function array(v: unknown, field: string, max: number): unknown[] {
  if (!Array.isArray(v)) fail(field, "expected an array");
  if (v.length > max) fail(field, `at most ${max} elements`);
  return v;
}

/** A safe integer from `min` to `max` (JSON numbers: uint64 fields that fit in 2^53). */
export function uint(v: unknown, field: string, max: number, min = 0): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max) {
    fail(field, `expected an integer from ${min} to ${max}`);
  }
  return v;
}

/** A decimal string without leading zeros, at most `max` (JSON numbers cannot hold uint64 or uint256). */
export function decimal(v: unknown, field: string, max: bigint): bigint {
  // Length first: 78 digits hold any uint256, and the regular expression never walks a huge string.
  if (typeof v !== "string" || v.length > 78 || !DECIMAL.test(v)) fail(field, "expected a decimal string");
  const n = BigInt(v);
  if (n > max) fail(field, `exceeds ${max}`);
  return n;
}

/** A 0x-hex bytes32, lower-cased (the canonical form digests and roots compare in). */
export function bytes32(v: unknown, field: string): string {
  if (!isBytes32(v)) fail(field, "expected 0x followed by 64 hex digits");
  return v.toLowerCase();
}

/** A 0x-hex address, EIP-55 checksummed (the canonical form). */
export function address(v: unknown, field: string): string {
  if (!isAddress(v)) fail(field, "expected 0x followed by 40 hex digits");
  return checksumAddress(v);
}

/** 0x-hex signature bytes, 1 to {@link MAX_SIGNATURE_BYTES}, lower-cased. */
export function signature(v: unknown, field: string): string {
  // Length first, so a huge string is refused before the regular expression walks it.
  if (typeof v !== "string" || v.length < 4 || v.length > 2 + 2 * MAX_SIGNATURE_BYTES || !HEX_BYTES.test(v)) {
    fail(field, `expected 0x-hex bytes, 1 to ${MAX_SIGNATURE_BYTES} of them`);
  }
  return v.toLowerCase();
}

/** A merkle proof: at most {@link MAX_PROOF_LENGTH} bytes32 elements, checked before any is read. */
export function proof(v: unknown, field: string): string[] {
  return array(v, field, MAX_PROOF_LENGTH).map((p, i) => bytes32(p, `${field}[${i}]`));
}
