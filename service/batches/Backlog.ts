/**
 * Receipts accepted and not yet anchored: the bound (`BACKLOG_MAX`) that keeps memory and the Acks'
 * `anchorBy` promises honest while the chain is slow or away. Admission reserves a place for each receipt
 * it stages (released again if the write fails); the anchorer releases a batch's places once it is mined.
 */
export class Backlog {
  private n: number;

  constructor(
    readonly max: number,
    initial = 0,
    private readonly onChange: (size: number) => void = () => undefined,
  ) {
    this.n = initial;
    onChange(initial);
  }

  /** Receipts accepted (or being written) and not anchored. */
  size(): number {
    return this.n;
  }

  /** Takes one place; false (and nothing taken) when the backlog is full. */
  reserve(): boolean {
    if (this.n >= this.max) return false;
    this.n++;
    this.onChange(this.n);
    return true;
  }

  /** Counts `count` receipts again whatever the bound: a batch a reorg took off the chain. */
  readd(count: number): void {
    this.n += count;
    this.onChange(this.n);
  }

  /** Gives back `count` places: reserved receipts whose write failed, or a batch that was anchored. */
  release(count: number): void {
    this.n = Math.max(0, this.n - count);
    this.onChange(this.n);
  }
}
