/** One place where two evaluations disagree; an absent side means the value is missing there. */
export interface EvaluationDifference {
  /** JSONPath of the value, e.g. `$.installments[2].stages[3].lateBySecs`. */
  path: string;
  expected?: unknown;
  actual?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function walk(expected: unknown, actual: unknown, path: string, out: EvaluationDifference[]): void {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const n = Math.max(expected.length, actual.length);
    for (let i = 0; i < n; i++) {
      const p = `${path}[${i}]`;
      if (i >= actual.length) out.push({ path: p, expected: expected[i] });
      else if (i >= expected.length) out.push({ path: p, actual: actual[i] });
      else walk(expected[i], actual[i], p, out);
    }
    return;
  }
  if (isObject(expected) && isObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    for (const k of keys) {
      const p = IDENTIFIER.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`;
      if (!(k in actual)) out.push({ path: p, expected: expected[k] });
      else if (!(k in expected)) out.push({ path: p, actual: actual[k] });
      else walk(expected[k], actual[k], p, out);
    }
    return;
  }
  if (!Object.is(expected, actual)) out.push({ path, expected, actual });
}

/**
 * The differences between two evaluations (or any two JSON values), as JSONPaths with the value on each
 * side — for `verify-timeline`, which recomputes the evaluation and reports where the service's answer
 * differs. Compares every field, including the ones beyond the fixed format; an empty list means equal.
 * Arrays are compared position by position (evaluations are ordered: installments by number, stages in order).
 */
export function diffEvaluations(expected: unknown, actual: unknown): EvaluationDifference[] {
  const out: EvaluationDifference[] = [];
  walk(expected, actual, "$", out);
  return out;
}
