/** What a suite is told about the run. */
export interface BenchOptions {
  /** The CI smoke run: small sizes, short runs; figures are for orientation only. */
  readonly quick: boolean;
  /** Runs per figure (at least 3, for min / median / max). */
  readonly runs: number;
  /** Seconds each rate measurement lasts. */
  readonly rateSeconds: number;
}

/** Progress goes to stderr so that the table on stdout stays clean. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
