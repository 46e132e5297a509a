import { InvalidArgumentError } from "../errors";
import { isBytes32 } from "./hex";
import { MAX_STATE_PROOF } from "../merkle/loanState";

/**
 * A timeline's completeness entry for one stream (DESIGN.md, "Completeness: the loan state root"): the
 * stream's state root after batch `seq`, the loan's value in it (`count`, `head`) with its proof, and the
 * loan's digests in that stream in anchoring order (what `head` chains: by batch, then leaf order within a
 * batch, which a verifier cannot learn from the proof bundles alone).
 */
export interface CompletenessEntry {
  stream: string;
  seq: number;
  stateRoot: string;
  count: number;
  head: string;
  proof: string[];
  digests: string[];
}

const FIELDS = ["stream", "seq", "stateRoot", "count", "head", "proof", "digests"];

function fail(field: string, message: string): never {
  throw new InvalidArgumentError("INVALID_FIELD", message, field);
}

function bytes32List(v: unknown, field: string, max: number): string[] {
  if (!Array.isArray(v) || v.length > max) fail(field, `${field}: expected at most ${max} bytes32`);
  return v.map((x, i) => {
    if (!isBytes32(x)) fail(`${field}[${i}]`, "expected bytes32");
    return x.toLowerCase();
  });
}

/** Parses one entry defensively (every field attacker-controlled); throws INVALID_FIELD naming the field. */
export function parseCompletenessEntry(v: unknown, maxDigests = 100_000): CompletenessEntry {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail("", "expected an object");
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FIELDS.includes(k)) fail(k, `unknown field ${k}`);
  for (const k of ["stream", "stateRoot", "head"]) if (!isBytes32(o[k])) fail(k, `${k}: expected bytes32`);
  if (!Number.isSafeInteger(o.seq) || (o.seq as number) < 0) fail("seq", "seq: expected an integer ≥ 0");
  if (!Number.isSafeInteger(o.count) || (o.count as number) < 1) fail("count", "count: expected an integer ≥ 1");
  return {
    stream: (o.stream as string).toLowerCase(),
    seq: o.seq as number,
    stateRoot: (o.stateRoot as string).toLowerCase(),
    count: o.count as number,
    head: (o.head as string).toLowerCase(),
    proof: bytes32List(o.proof, "proof", MAX_STATE_PROOF),
    digests: bytes32List(o.digests, "digests", maxDigests),
  };
}
