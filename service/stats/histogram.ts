/**
 * Fixed log-scale buckets for lateness and durations (docs/api.md, "Stats": percentiles). Bucket 0 holds 0;
 * bucket i holds the integers in (BOUNDS[i-1], BOUNDS[i]], BOUNDS growing by a factor 2^(1/8) (≈ 9%), each at
 * least one above the last, up to 2^40 s. A percentile is the upper bound of the bucket holding the
 * nearest-rank value, capped at the exact maximum: never below the exact value, at most ~9% above it.
 */
export const BOUNDS: readonly number[] = (() => {
  const out = [0];
  for (let i = 1; ; i++) {
    const b = Math.max((out[i - 1] as number) + 1, Math.round(2 ** (i / 8)));
    out.push(b);
    if (b >= 2 ** 40) return out;
  }
})();

/** The bucket of a non-negative integer (the last one for anything beyond 2^40). */
export function bucketOf(v: number): number {
  let lo = 0;
  let hi = BOUNDS.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((BOUNDS[mid] as number) >= v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A histogram as stored: bucket index (as a string key) → count. */
export type Histogram = Record<string, number>;

/** Adds `n` (negative to remove) observations of `v`; empty buckets are dropped. */
export function addTo(h: Histogram, v: number, n: number): void {
  const k = String(bucketOf(v));
  const c = (h[k] ?? 0) + n;
  if (c === 0) delete h[k];
  else h[k] = c;
}

/** Adds every count of `from` into `into`. */
export function mergeInto(into: Histogram, from: Histogram): void {
  for (const [k, c] of Object.entries(from)) into[k] = (into[k] ?? 0) + c;
}

/** Nearest-rank percentile `p` (0–100) of a histogram: the bucket's upper bound, capped at `max`; null when empty. */
export function percentile(h: Histogram, p: number, max: number): number | null {
  const entries = Object.entries(h)
    .map(([k, c]) => [Number(k), c] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((s, [, c]) => s + c, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [k, c] of entries) {
    seen += c;
    if (seen >= rank) return Math.min(BOUNDS[k] as number, max);
  }
  return max;
}
