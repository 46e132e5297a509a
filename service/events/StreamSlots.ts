import { ApiError } from "../errors";

/**
 * Places for open event streams: at most `max` in all and `maxPerParty` per reader. A stream is long-lived
 * and holds a socket, a listener and its unsent bytes, so without a bound one party (or many) could hold the
 * service's memory and file descriptors. Past the party's share: 429 QUOTA_EXCEEDED; past the total: 503
 * BACKLOG_FULL, both with Retry-After.
 */
export class StreamSlots {
  private total = 0;
  private readonly perParty = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly maxPerParty: number,
  ) {}

  /** Takes a place for `party`'s stream (or throws); returns the function that gives it back (once). */
  take(party: string): () => void {
    const mine = this.perParty.get(party) ?? 0;
    if (mine >= this.maxPerParty) {
      throw new ApiError(
        "QUOTA_EXCEEDED",
        `at most ${this.maxPerParty} event streams per reader; close one first`,
        { maxPerParty: this.maxPerParty },
        5,
      );
    }
    if (this.total >= this.max) {
      throw new ApiError("BACKLOG_FULL", `the service serves ${this.max} event streams; retry later`, undefined, 5);
    }
    this.total++;
    this.perParty.set(party, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.perParty.get(party) ?? 1) - 1;
      if (left === 0) this.perParty.delete(party);
      else this.perParty.set(party, left);
    };
  }

  /** Streams open now. */
  open(): number {
    return this.total;
  }
}
