/**
 * The demo's listener on `GET /v1/events`: counts events by type, checks that only its own agreement's
 * events arrive, and measures how soon after a settlement was submitted the funder heard it anchored.
 */
export class DemoEvents {
  private readonly counts = new Map<string, number>();
  private readonly submittedAt = new Map<string, number>();
  private readonly latencies: number[] = [];
  private foreign = 0;
  private readonly abort = new AbortController();
  private reading: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly agreementId: string,
  ) {}

  /** Connects and resolves once the stream is open (events published from now on are heard). */
  async open(): Promise<void> {
    const res = await fetch(`${this.url}/v1/events`, {
      headers: { authorization: this.token, accept: "text/event-stream" },
      signal: this.abort.signal,
    });
    if (res.status !== 200 || !res.body) throw new Error(`GET /v1/events: ${res.status} ${await res.text()}`);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = "";
    this.reading = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buf += decoder.decode(value, { stream: true });
          let cut: number;
          while ((cut = buf.indexOf("\n\n")) >= 0) {
            this.onBlock(buf.slice(0, cut));
            buf = buf.slice(cut + 2);
          }
        }
      } catch {
        // aborted on close
      }
    })();
  }

  private onBlock(block: string): void {
    let type = "";
    let data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) type = line.slice(7);
      else if (line.startsWith("data: ")) data += line.slice(6);
    }
    if (!type) return;
    this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
    const d = JSON.parse(data) as { agreementId: string; receipts?: { digest: string }[] };
    if (d.agreementId !== this.agreementId.toLowerCase()) this.foreign++;
    if (type === "batch.anchored") {
      const now = Date.now();
      for (const r of d.receipts ?? []) {
        const at = this.submittedAt.get(r.digest);
        if (at !== undefined) {
          this.latencies.push(now - at);
          this.submittedAt.delete(r.digest);
        }
      }
    }
  }

  /** Remembers when a settlement (the repayment reaching the collector) was submitted. */
  expectRepayment(digest: string, atMs: number): void {
    this.submittedAt.set(digest, atMs);
  }

  count(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  close(): void {
    this.abort.abort();
  }

  report(): EventsReport {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const q = (p: number): number | null =>
      sorted.length ? (sorted[Math.floor(p * (sorted.length - 1))] ?? null) : null;
    return {
      counts: Object.fromEntries(this.counts),
      foreign: this.foreign,
      repaymentsHeard: sorted.length,
      repaymentsUnheard: this.submittedAt.size,
      p50Ms: q(0.5),
      maxMs: sorted.length ? (sorted[sorted.length - 1] ?? null) : null,
    };
  }
}

export interface EventsReport {
  counts: Record<string, number>;
  /** Events of other agreements (must be 0: the stream is scoped to the reader). */
  foreign: number;
  repaymentsHeard: number;
  /** Funder A's settlements whose anchoring the stream never reported (only its own agreement's count). */
  repaymentsUnheard: number;
  p50Ms: number | null;
  maxMs: number | null;
}
