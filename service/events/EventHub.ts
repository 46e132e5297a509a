import { KIND_NAMES, type Ack, type ReceiptJson } from "@repayproof/verifier/core";
import type { Prepared } from "../ingest/preprocess";

/** The event types of `GET /v1/events` (docs/api.md, "Live events"). */
export const EVENT_TYPES = ["receipt.accepted", "batch.anchored", "breach.opened", "breach.closed"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One published event: `id` increases by one per event within a service run (a restart starts again at 1). */
export interface HubEvent {
  id: number;
  type: EventType;
  /** The agreement the event is about: readers see only the agreements they belong to. */
  agreementId: string;
  data: Record<string, unknown>;
}

export type Listener = (e: HubEvent) => void;

/** Events kept for `Last-Event-ID` replay after a reconnect (bounded: older ones are gone). */
const REPLAY = 1024;

/**
 * The in-process event bus behind `GET /v1/events`: the admission, the anchorer and the breach watcher
 * publish, each open SSE stream listens. Producers ask `active()` first and skip the work of building an
 * event when nobody listens, so the bus costs nothing under ingest load without readers.
 */
export class EventHub {
  private nextId = 1;
  private readonly listeners = new Set<Listener>();
  private readonly closers = new Set<() => void>();
  private readonly recent: HubEvent[] = [];
  /** Milliseconds between SSE heartbeat comments (a test may shorten it). */
  heartbeatMs = 15_000;
  /** Called when the number of listeners drops to zero (the breach watcher forgets its state). */
  onIdle: (() => void) | undefined;

  /**
   * Where this instance's own events also go (several instances on one database: ./PgFanout.ts sends them
   * to the others' hubs). Set, it makes the hub always active: the other instances' readers count too.
   */
  fanout: ((e: HubEvent) => void) | undefined;

  /** Whether anyone listens. */
  active(): boolean {
    return this.listeners.size > 0 || this.fanout !== undefined;
  }

  /** Publishes an event to every listener (synchronously, in order); `remote`: another instance's, not fanned out again. */
  publish(type: EventType, agreementId: string, data: Record<string, unknown>, remote = false): HubEvent {
    const e: HubEvent = { id: this.nextId++, type, agreementId: agreementId.toLowerCase(), data };
    this.recent.push(e);
    if (this.recent.length > REPLAY) this.recent.shift();
    for (const l of this.listeners) l(e);
    if (!remote) this.fanout?.(e);
    return e;
  }

  /** Kept events with an id above `lastId`, oldest first (for `Last-Event-ID`). */
  since(lastId: number): HubEvent[] {
    return this.recent.filter((e) => e.id > lastId);
  }

  /**
   * Adds a listener; `close` is called if the hub shuts down first. Returns the unsubscribe function.
   */
  subscribe(listener: Listener, close: () => void): () => void {
    this.listeners.add(listener);
    this.closers.add(close);
    return () => {
      this.listeners.delete(listener);
      this.closers.delete(close);
      if (this.listeners.size === 0) this.onIdle?.();
    };
  }

  /** Ends every stream (service shutdown: SSE connections are never idle, so the server would wait on them). */
  close(): void {
    for (const c of [...this.closers]) c();
    this.listeners.clear();
    this.closers.clear();
  }
}

/** Publishes `receipt.accepted` for a receipt just made durable (a no-op without listeners). */
export function publishAccepted(hub: EventHub, item: Prepared, ack: Ack): void {
  if (!hub.active()) return;
  const { receipt: r } = JSON.parse(item.head + "}") as { receipt: ReceiptJson };
  hub.publish("receipt.accepted", item.agreementId, {
    digest: item.digest,
    loanId: r.loanId,
    installment: r.installment,
    kind: KIND_NAMES[r.kind - 1] ?? r.kind,
    amount: r.amount,
    currency: r.currency,
    occurredAt: r.occurredAt,
    attester: r.attester,
    acceptedAt: ack.acceptedAt,
    anchorBy: ack.anchorBy,
  });
}
