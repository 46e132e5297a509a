import { InvalidArgumentError } from "../errors";
import { checksumAddress, isAddress, isBytes32 } from "./hex";

/**
 * Field parsers for untrusted JSON (bundles, timelines): each checks one field and throws
 * `InvalidArgumentError("INVALID_FIELD")` naming it. Shared so every format refuses the same things alike.
 */

/** Longest signature accepted (ERC-1271 wallets may sign with more than 65 bytes). */
export const MAX_SIGNATURE_BYTES = 4096;
export const MAX_UINT32 = 0xffffffff;
const HEX_BYTES = /^0x(?:[0-9a-fA-F]{2})*$/;

export function fail(field: string, message: string): never {
  throw new InvalidArgumentError("INVALID_FIELD", `${field}: ${message}`, field);
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

export function array(v: unknown, field: string, max: number): unknown[] {
  if (!Array.isArray(v)) fail(field, "expected an array");
  if (v.length > max) fail(field, `at most ${max} elements`);
  return v;
}

export function uint(v: unknown, field: string, max: number, min = 0): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max) {
    fail(field, `expected an integer from ${min} to ${max}`);
  }
  return v;
}

export function bytes32(v: unknown, field: string): string {
  if (!isBytes32(v)) fail(field, "expected 0x followed by 64 hex digits");
  return v.toLowerCase();
}

export function address(v: unknown, field: string): string {
  if (!isAddress(v)) fail(field, "expected 0x followed by 40 hex digits");
  return checksumAddress(v);
}

export function signature(v: unknown, field: string): string {
  // Length first, so a huge string is refused before the regular expression walks it.
  if (typeof v !== "string" || v.length < 4 || v.length > 2 + 2 * MAX_SIGNATURE_BYTES || !HEX_BYTES.test(v)) {
    fail(field, `expected 0x-hex bytes, 1 to ${MAX_SIGNATURE_BYTES} of them`);
  }
  return v.toLowerCase();
}
