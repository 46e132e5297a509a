import { ApiError } from "../errors";

/** Receipts counted before this run knew their agreements (restart, reorg): nobody's share. */
const UNATTRIBUTED = "";

/**
 * Receipts accepted and not yet anchored: the bound (`BACKLOG_MAX`) that keeps memory and the Acks'
 * `anchorBy` promises honest while the chain is slow or away, and each agreement's share of it
 * (`BACKLOG_PER_AGREEMENT`), so one busy or hostile platform cannot take every place while the chain is slow
 * and lock the others out. Admission reserves a place for each receipt it stages (released again if the
 * write fails); the anchorer releases a batch's places once it is mined. Batches are sealed in acceptance
 * order, so the places released are the oldest reservations: a queue of (agreement, count) runs says whose.
 *
 * Several instances on one database share both bounds out like the rate limit: each allows its 1/N of them,
 * N the instances alive (store/postgres/LiveInstances.ts), so together they hold at most the bound
 * (docs/operations.md, "Several instances on one database", says the slack).
 */
export class Backlog {
  private n: number;
  private readonly perAgreement = new Map<string, number>();
  /** Reservations in acceptance order, as runs of one agreement (bounded by the number of places). */
  private readonly runs: { agreementId: string; count: number }[] = [];

  constructor(
    readonly max: number,
    initial = 0,
    private readonly onChange: (size: number) => void = () => undefined,
    readonly maxPerAgreement = max,
    /** Instances alive sharing the bounds (1: this one alone); read at each reservation, from memory. */
    private readonly instances: () => number = () => 1,
  ) {
    this.n = initial;
    if (initial > 0) this.runs.push({ agreementId: UNATTRIBUTED, count: initial });
    onChange(initial);
  }

  /** Receipts accepted (or being written) and not anchored. */
  size(): number {
    return this.n;
  }

  /** Receipts of `agreementId` in the backlog. */
  sizeOf(agreementId: string): number {
    return this.perAgreement.get(agreementId) ?? 0;
  }

  /**
   * Takes one place for a receipt of `agreementId`; or, taking nothing, the refusal: 503 BACKLOG_FULL when the
   * backlog is full, 429 QUOTA_EXCEEDED when this agreement holds its share.
   */
  reserve(agreementId: string): ApiError | undefined {
    const n = Math.max(1, this.instances());
    const here = n === 1 ? "" : ` here, this instance's 1/${n}`;
    if (this.n >= shareOf(this.max, n)) {
      return new ApiError("BACKLOG_FULL", `the anchoring backlog is full (${this.n} receipts${here}); retry later`, {
        backlogMax: this.max,
      });
    }
    const mine = this.sizeOf(agreementId);
    if (mine >= shareOf(this.maxPerAgreement, n)) {
      return new ApiError(
        "QUOTA_EXCEEDED",
        `this agreement holds ${mine} receipts not yet anchored${here}, its share of the backlog; retry once they are`,
        { backlogPerAgreement: this.maxPerAgreement },
      );
    }
    this.perAgreement.set(agreementId, mine + 1);
    const last = this.runs[this.runs.length - 1];
    if (last?.agreementId === agreementId) last.count++;
    else this.runs.push({ agreementId, count: 1 });
    this.n++;
    this.onChange(this.n);
    return undefined;
  }

  /** Counts `count` receipts again whatever the bound: a batch a reorg took off the chain. */
  readd(count: number): void {
    this.runs.unshift({ agreementId: UNATTRIBUTED, count });
    this.n += count;
    this.onChange(this.n);
  }

  /** Gives back `count` places, the oldest first: a batch that was anchored. */
  release(count: number): void {
    this.take(
      count,
      () => this.runs[0],
      () => this.runs.shift(),
    );
  }

  /** Gives back the `count` newest places: reserved receipts whose write failed. */
  releaseNewest(count: number): void {
    this.take(
      count,
      () => this.runs[this.runs.length - 1],
      () => this.runs.pop(),
    );
  }

  /** Gives back one place of `agreementId`, its newest: a reserved receipt that was not stored after all. */
  unreserve(agreementId: string): void {
    let at = this.runs.length - 1;
    while (at >= 0 && this.runs[at]?.agreementId !== agreementId) at--;
    const run = this.runs[at];
    if (run === undefined) return;
    if (--run.count === 0) this.runs.splice(at, 1);
    const rest = this.sizeOf(agreementId) - 1;
    if (rest > 0) this.perAgreement.set(agreementId, rest);
    else this.perAgreement.delete(agreementId);
    this.n--;
    this.onChange(this.n);
  }

  private take(
    count: number,
    end: () => { agreementId: string; count: number } | undefined,
    drop: () => unknown,
  ): void {
    let left = Math.min(count, this.n);
    this.n -= left;
    while (left > 0) {
      const run = end();
      if (run === undefined) break;
      const k = Math.min(left, run.count);
      run.count -= k;
      left -= k;
      if (run.agreementId !== UNATTRIBUTED) {
        const rest = this.sizeOf(run.agreementId) - k;
        if (rest > 0) this.perAgreement.set(run.agreementId, rest);
        else this.perAgreement.delete(run.agreementId);
      }
      if (run.count === 0) drop();
    }
    this.onChange(this.n);
  }
}

/** One instance's part of a bound shared by `n`: rounded down, so the parts never add up to more; at least 1 (of 1 or more). */
const shareOf = (bound: number, n: number): number => Math.min(bound, Math.max(1, Math.floor(bound / n)));
