import type pg from "pg";

/**
 * The instances alive on one database: each writes its heartbeat (its stream, the time) every `everyMs`
 * and counts the rows seen within three heartbeats. The count is read from memory (never a query per
 * request); while the database is away the last count stands.
 */
export class LiveInstances {
  private alive = 1;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly stream: string,
    private readonly everyMs = 5_000,
  ) {}

  /** Instances alive, this one included (at least 1). */
  count(): number {
    return this.alive;
  }

  /** Beats once (so the count is right from the first request), then every `everyMs`. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.everyMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    const now = Date.now();
    try {
      await this.pool.query(
        "INSERT INTO rp_instances (stream, seen_at) VALUES ($1, $2) ON CONFLICT (stream) DO UPDATE SET seen_at = excluded.seen_at",
        [this.stream, now],
      );
      const { rows } = await this.pool.query<{ n: string }>(
        "SELECT count(*) AS n FROM rp_instances WHERE seen_at > $1",
        [now - 3 * this.everyMs],
      );
      this.alive = Math.max(1, Number(rows[0]?.n ?? 1));
    } catch {
      // the database is away: keep the last count
    }
  }

  /** Stops beating and takes this instance out of the count at once (a clean stop). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.pool.query("DELETE FROM rp_instances WHERE stream = $1", [this.stream]).catch(() => undefined);
  }
}
