/**
 * Timing primitives of the benchmarks. Every figure is a list of runs (at least three) so that the report
 * can show min / median / max; a ratio is computed run by run from interleaved measurements, so that a
 * noisy neighbour on the shared machine slows both sides of a comparison alike.
 */

/** One measured quantity: its runs, in `unit`, and whether bigger is better (a rate) or worse (a time). */
export interface Figure {
  readonly runs: readonly number[];
  readonly unit: string;
}

/** Seconds elapsed while `fn` runs (awaited). */
export async function seconds(fn: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Synchronous variant of {@link seconds}, for tight loops that must not yield. */
export function secondsSync(fn: () => unknown): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** The median of `xs` (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  if (s.length === 0) return NaN;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function min(xs: readonly number[]): number {
  return Math.min(...xs);
}

export function max(xs: readonly number[]): number {
  return Math.max(...xs);
}

/** A figure from runs. */
export function figure(runs: readonly number[], unit: string): Figure {
  return { runs, unit };
}

/** Run-by-run ratio `a[i] / b[i]` of two figures measured interleaved. */
export function ratioRuns(a: Figure, b: Figure): number[] {
  const n = Math.min(a.runs.length, b.runs.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((a.runs[i] as number) / (b.runs[i] as number));
  return out;
}

/**
 * Runs `fn` (one operation per call) until at least `minSeconds` have passed, in blocks of `block` calls,
 * and returns operations per second. Blocks keep the clock out of the loop.
 */
export function rate(fn: (i: number) => unknown, minSeconds: number, block = 1000): number {
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsed: number;
  do {
    for (let i = 0; i < block; i++) fn(ops + i);
    ops += block;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  } while (elapsed < minSeconds);
  return ops / elapsed;
}

/** Lets a pending garbage collection or timer run between measurements. */
export function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
  return new Promise((resolve) => setTimeout(resolve, 20));
}
