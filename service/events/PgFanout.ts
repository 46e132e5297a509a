import { randomUUID } from "node:crypto";
import pg from "pg";
import type { Logger } from "pino";
import { LiveInstances } from "../store/postgres/LiveInstances";
import { PgStore } from "../store/postgres/PgStore";
import type { Store } from "../store/Store";
import { EVENT_TYPES, type EventHub, type EventType } from "./EventHub";

const CHANNEL = "repayproof_events";
/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more: events go in chunks below that. */
const PAYLOAD_MAX = 7_500;
/** Events waiting to be sent at most (a database away for long drops the oldest, counted in `dropped`). */
const QUEUE_MAX = 10_000;
const FLUSH_MS = 20;

interface Wire {
  type: EventType;
  agreementId: string;
  data: Record<string, unknown>;
}

/**
 * Live events across instances on one database (PostgreSQL LISTEN/NOTIFY): every event this instance's hub
 * publishes is sent, a few at a time, on one channel; every other instance's hub publishes what arrives to
 * its own listeners, who see each event once, whichever instance accepted the receipt. Best effort, like the
 * stream itself: a listener that reconnects replays what its own instance kept (`Last-Event-ID`).
 */
export class PgFanout {
  private readonly me = randomUUID();
  private listener: pg.Client | undefined;
  private queue: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private retryMs = 250;
  /** Events dropped: the queue was full, or a send failed. */
  dropped = 0;

  constructor(
    private readonly url: string,
    private readonly pool: pg.Pool,
    private readonly hub: EventHub,
    private readonly log: Logger,
  ) {}

  /** Listens (reconnecting whenever the connection breaks) and starts sending the hub's events. */
  async start(): Promise<void> {
    this.hub.fanout = (e) => {
      const wire: Wire = { type: e.type, agreementId: e.agreementId, data: e.data };
      this.queue.push(JSON.stringify(wire));
      if (this.queue.length > QUEUE_MAX) {
        this.queue.shift();
        this.dropped++;
      }
      this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
    };
    await this.listen();
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5_000 });
    const again = (): void => {
      if (this.closed || this.listener !== client) return;
      this.listener = undefined;
      void client.end().catch(() => undefined);
      setTimeout(() => void this.listen().catch(() => undefined), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 5_000);
    };
    this.listener = client;
    client.on("error", again);
    client.on("end", again);
    client.on("notification", (n) => this.receive(n.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.retryMs = 250;
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, "live events from other instances: cannot listen yet; retrying");
      again();
    }
  }

  private receive(payload: string | undefined): void {
    try {
      const msg = JSON.parse(payload ?? "") as { from: string; events: string[] };
      if (msg.from === this.me) return;
      for (const raw of msg.events) {
        const e = JSON.parse(raw) as Wire;
        if (!EVENT_TYPES.includes(e.type) || typeof e.agreementId !== "string") continue;
        this.hub.publish(e.type, e.agreementId, e.data, true);
      }
    } catch {
      this.log.warn("live events from other instances: a payload that is not ours was ignored");
    }
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const events = this.queue;
    this.queue = [];
    const head = `{"from":"${this.me}","events":[`.length + 2;
    let chunk: string[] = [];
    let size = head;
    const send = async (): Promise<void> => {
      if (chunk.length === 0) return;
      const payload = JSON.stringify({ from: this.me, events: chunk });
      const n = chunk.length;
      chunk = [];
      size = head;
      await this.pool.query("SELECT pg_notify($1, $2)", [CHANNEL, payload]).catch(() => (this.dropped += n));
    };
    for (const e of events) {
      const cost = JSON.stringify(e).length + 1;
      if (head + cost > PAYLOAD_MAX) {
        this.dropped++;
        continue;
      }
      if (size + cost > PAYLOAD_MAX) await send();
      chunk.push(e);
      size += cost;
    }
    await send();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.hub.fanout = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }
}

/**
 * Several instances on one database (`store` is PostgreSQL): the fan-out of `hub`'s events, and the count of
 * instances alive that the rate limit is shared out by; started. Undefined for a store of one instance.
 */
export async function startSharing(
  store: Store,
  databaseUrl: string | undefined,
  hub: EventHub,
  log: Logger,
): Promise<{ instances: LiveInstances; close(): Promise<void> } | undefined> {
  if (!(store instanceof PgStore) || databaseUrl === undefined) return undefined;
  const fanout = new PgFanout(databaseUrl, store.pool, hub, log);
  const instances = new LiveInstances(store.pool, store.stream);
  await fanout.start();
  await instances.start();
  return {
    instances,
    async close() {
      await fanout.close();
      await instances.close();
    },
  };
}
