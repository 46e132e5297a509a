/**
 * How many registrations the relay sends per party, and in all, within a sliding window (RELAY_QUOTA,
 * RELAY_QUOTA_TOTAL per RELAY_QUOTA_WINDOW_S). Counted when a transaction is about to be sent — a refused
 * agreement costs no gas and no quota — and never refunded (a sent transaction may have cost gas). In memory:
 * a restart forgets the window (the total still bounds what one window can spend). The total is there because
 * a party is only a key: anyone can make new ones, so the per-party quota alone does not bound the spend.
 */
export class RelayQuota {
  private readonly byParty = new Map<string, number[]>();
  private readonly all: number[] = [];

  constructor(
    private readonly perParty: number,
    private readonly total: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes one slot for `party`, or returns the seconds until one frees up (nothing taken). Parties with no
   * relay left in the window are forgotten, so the map holds at most RELAY_QUOTA_TOTAL parties.
   */
  take(party: string): { ok: true } | { ok: false; retryAfterS: number; scope: "party" | "total" } {
    const t = this.now();
    const since = t - this.windowMs;
    while (this.all.length > 0 && (this.all[0] as number) <= since) this.all.shift();
    for (const [p, times] of this.byParty) {
      while (times.length > 0 && (times[0] as number) <= since) times.shift();
      if (times.length === 0) this.byParty.delete(p);
    }
    const mine = this.byParty.get(party) ?? [];
    const wait = (times: number[]): number => Math.max(1, Math.ceil(((times[0] ?? t) + this.windowMs - t) / 1000));
    if (mine.length >= this.perParty) return { ok: false, retryAfterS: wait(mine), scope: "party" };
    if (this.all.length >= this.total) return { ok: false, retryAfterS: wait(this.all), scope: "total" };
    mine.push(t);
    this.byParty.set(party, mine);
    this.all.push(t);
    return { ok: true };
  }
}
