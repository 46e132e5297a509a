import fc from "fast-check";

/** One request of the fuzzer: its route, its body (text or bytes) and its content type. */
export interface FuzzRequest {
  route: "/v1/receipts" | "/v1/agreements";
  kind: string;
  body: string | Uint8Array;
  contentType: string | undefined;
}

/** Where a raw (non-JSON-encodable) value is spliced into a body after JSON.stringify. */
const RAW = "@@RAW@@";

/** Numbers JSON.stringify cannot write: past float range, past 2^53, negative zero, hex, leading zeros. */
const rawNumbers = fc.constantFrom(
  "1e400",
  "-1e400",
  "123456789012345678901234567890123456789012345678901234567890",
  "9007199254740993",
  "-0",
  "0.0000000000000000000000001",
  "1E+2",
  "00012",
  "0x10",
  "NaN",
  "Infinity",
  "1" + "0".repeat(5000),
);

/** Strings that are hard on parsers and on terminals: lone surrogates, NUL, controls, bidi, huge. */
const nastyStrings = fc.oneof(
  fc.string({ unit: "binary", maxLength: 64 }),
  fc.string({ unit: "grapheme", maxLength: 64 }),
  fc.constantFrom("\ud800", "\udfff", "\u0000", "\u001b[2J", "\u202e", "\ufeff", "0x", "0X" + "ab".repeat(32), ""),
  fc.nat({ max: 70_000 }).map((n) => "x".repeat(n)),
);

const leaf = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 3, arbitrary: nastyStrings },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.integer(),
      fc.double(),
      fc.bigInt().map((b) => b.toString()),
    ),
  },
  { weight: 2, arbitrary: fc.constant(RAW) },
);

/** Keys that reach Object.prototype when an object is built carelessly. */
const protoKey = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty");

/** A mutation of a JSON object: set, delete or add a key (at the top, or in a nested object). */
function mutate(obj: Record<string, unknown>, path: string[], value: unknown, op: "set" | "delete"): void {
  let at: Record<string, unknown> = obj;
  for (const k of path.slice(0, -1)) {
    const next = at[k];
    if (typeof next !== "object" || next === null) return;
    at = next as Record<string, unknown>;
  }
  const last = path[path.length - 1] as string;
  if (op === "delete") delete at[last];
  else Object.defineProperty(at, last, { value, enumerable: true, writable: true, configurable: true });
}

/** Every key path of `v` (objects and arrays), so a mutation can hit any field. */
function pathsOf(v: unknown, prefix: string[] = []): string[][] {
  if (typeof v !== "object" || v === null) return [];
  const out: string[][] = [];
  for (const [k, x] of Object.entries(v)) out.push([...prefix, k], ...pathsOf(x, [...prefix, k]));
  return out;
}

/** A valid body with 1–3 mutations (set a field to a hostile value, delete one, or add a prototype key). */
function mutated(template: () => Record<string, unknown>): fc.Arbitrary<string> {
  const paths = pathsOf(template());
  const one = fc.oneof(
    fc.tuple(fc.constant("set" as const), fc.constantFrom(...paths), leaf),
    fc.tuple(fc.constant("delete" as const), fc.constantFrom(...paths), fc.constant(null)),
    fc.tuple(
      fc.constant("set" as const),
      fc.tuple(fc.constantFrom([], ...paths), protoKey).map(([p, k]) => [...p, k]),
      leaf,
    ),
  );
  return fc.tuple(fc.array(one, { minLength: 1, maxLength: 3 }), rawNumbers).map(([ops, raw]) => {
    const body = template();
    for (const [op, path, value] of ops) mutate(body, path, value, op);
    return JSON.stringify(body).replace(`"${RAW}"`, raw);
  });
}

/** Arrays or objects nested `depth` deep (up to 100,000: a parser that recurses overflows its stack). */
const deep = fc
  .tuple(fc.integer({ min: 1, max: 100_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth),
  );

/**
 * Hostile bodies for `route`, built from `template` (a valid body): random JSON, mutated valid bodies (a
 * fresh template each time, so unmutated fields stay valid), huge and unwritable numbers, deep nesting,
 * unicode and raw bytes, `__proto__` keys, receipts wrapped in `items`, and odd content types.
 */
export function fuzzRequests(
  route: FuzzRequest["route"],
  template: () => Record<string, unknown>,
): fc.Arbitrary<FuzzRequest> {
  const text = fc.oneof(
    { weight: 6, arbitrary: mutated(template).map((b) => ["mutated", b] as const) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => ["json", JSON.stringify(v) ?? "null"] as const) },
    { weight: 1, arbitrary: deep.map((b) => ["deep", b] as const) },
    {
      weight: 1,
      arbitrary: protoKey.map(
        (k) => ["proto", JSON.stringify(template()).replace(/^\{/, `{"${k}":{"receipt":1,"polluted":true},`)] as const,
      ),
    },
    {
      weight: 2,
      arbitrary: fc
        .array(mutated(template), { minLength: 1, maxLength: 20 })
        .map((items) => ["items", `{"items":[${items.join(",")}]}`] as const),
    },
    { weight: 1, arbitrary: nastyStrings.map((s) => ["string", s] as const) },
  );
  const bytes = fc.uint8Array({ maxLength: 4096 }).map((b) => ["bytes", b] as const);
  return fc
    .tuple(
      fc.oneof({ weight: 9, arbitrary: text }, { weight: 1, arbitrary: bytes }),
      fc.constantFrom("application/json", "application/json", "application/json", "text/plain", undefined),
    )
    .map(([[kind, body], contentType]) => ({ route, kind, body, contentType }));
}
