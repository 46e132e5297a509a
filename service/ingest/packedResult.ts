import type { ItemError, ItemResult, Prepared, PreprocessResult } from "./preprocess";
import { isItemError } from "./preprocess";

/**
 * A worker's answer in the form it crosses to the main thread: no object per item, and the two fields that
 * weigh most — each record's head (~700 chars) and its digest — in one large string each. The main thread
 * takes those back as slices (V8 keeps a slice as a pointer into its parent, and a parent this large lives
 * in the large-object space, which young-generation collections never copy), so the items a request holds
 * while its write syncs weigh a few hundred bytes each instead of ~1.3 KB of copied strings. A slice pins
 * its parent: only head and digest are sliced, which nothing keeps beyond the request (the live-event
 * replay keeps ≤ 1,024 events, whose parents are the size of those events' own requests); the fields a
 * long-lived cache may key on (agreementId …) travel as strings of their own.
 * {@link unpackResult} of {@link packResult} gives back exactly what preprocess returned (property test in
 * test/service/ingest).
 */
export interface PackedResult {
  single: boolean;
  count: number;
  /** The items preprocessing refused, by index. */
  errors: [index: number, error: ItemError][];
  /** The prepared items' digests (66 chars each), one after the other. */
  digests: string;
  /** The prepared items' record heads, one after the other. */
  heads: string;
  attesters: string[];
  nonces: string[];
  agreementIds: string[];
  loanIds: string[];
  refs: string[];
  /** Per prepared item: kind, occurredAt, and where its head ends in `heads`. */
  numbers: Float64Array;
}

const DIGEST = 66;

/**
 * The packed form of `r`, or undefined when it is an envelope error, has a digest of another width, or has an
 * item for a contract wallet's check (`walletSignature`: rare, so such a result travels as it is).
 */
export function packResult(r: PreprocessResult): PackedResult | undefined {
  if (isItemError(r)) return undefined;
  const prepared = r.items.filter((it): it is Prepared => !isItemError(it));
  if (!prepared.every((p) => p.digest.length === DIGEST && p.walletSignature === undefined)) return undefined;
  const errors: [number, ItemError][] = [];
  r.items.forEach((it, i) => {
    if (isItemError(it)) errors.push([i, it]);
  });
  const numbers = new Float64Array(prepared.length * 3);
  let end = 0;
  prepared.forEach((p, i) => {
    end += p.head.length;
    numbers[i * 3] = p.kind;
    numbers[i * 3 + 1] = p.occurredAt;
    numbers[i * 3 + 2] = end;
  });
  return {
    single: r.single,
    count: r.items.length,
    errors,
    digests: prepared.map((p) => p.digest).join(""),
    heads: prepared.map((p) => p.head).join(""),
    attesters: prepared.map((p) => p.attester),
    nonces: prepared.map((p) => p.nonce),
    agreementIds: prepared.map((p) => p.agreementId),
    loanIds: prepared.map((p) => p.loanId),
    refs: prepared.map((p) => p.ref),
    numbers,
  };
}

/** The result {@link packResult} packed, the items rebuilt (head and digest as slices of the packed strings). */
export function unpackResult(p: PackedResult): PreprocessResult {
  const items: ItemResult[] = new Array(p.count);
  for (const [i, e] of p.errors) items[i] = e;
  let k = 0;
  let start = 0;
  for (let i = 0; i < p.count; i++) {
    if (items[i] !== undefined) continue;
    const end = p.numbers[k * 3 + 2] as number;
    items[i] = {
      digest: p.digests.slice(k * DIGEST, (k + 1) * DIGEST),
      attester: p.attesters[k] as string,
      nonce: p.nonces[k] as string,
      agreementId: p.agreementIds[k] as string,
      loanId: p.loanIds[k] as string,
      kind: p.numbers[k * 3] as number,
      occurredAt: p.numbers[k * 3 + 1] as number,
      ref: p.refs[k] as string,
      head: p.heads.slice(start, end),
    };
    start = end;
    k++;
  }
  return { single: p.single, items };
}
