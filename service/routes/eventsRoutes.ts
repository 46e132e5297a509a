import { Router } from "express";
import { isBytes32, partiesOf } from "@repayproof/verifier";
import { assertCanRead, authenticateParty, bearerExpiresAt } from "../access/auth";
import type { AppDeps } from "../deps";
import { ApiError } from "../errors";
import { EVENT_TYPES, type EventType, type HubEvent } from "../events/EventHub";
import { StreamSlots } from "../events/StreamSlots";

/**
 * `GET /v1/events`: server-sent events (`receipt.accepted`, `batch.anchored`, `breach.opened`,
 * `breach.closed`) for the agreements the reader belongs to (regulators: all). Optional `types` (comma-
 * separated) and `agreementId` narrow the stream; `Last-Event-ID` replays what the hub still holds.
 * Bounded: SSE_MAX streams in all and SSE_MAX_PER_PARTY per reader (StreamSlots); a reader that leaves more
 * than SSE_BUFFER_BYTES unsent is dropped (it reconnects with Last-Event-ID); a stream ends when its token
 * expires, so a token's 24 h bound holds for streams too.
 */
export function eventsRoutes(deps: AppDeps): Router {
  const r = Router();
  const { events: hub, config } = deps;
  const slots = new StreamSlots(config.sseMax, config.sseMaxPerParty);

  r.get("/v1/events", async (req, res) => {
    const party = await authenticateParty(req, deps.access);
    const types = parseTypes(req.query.types);
    const only = req.query.agreementId;
    if (only !== undefined && !isBytes32(only)) {
      throw new ApiError("INVALID_BODY", "agreementId: expected 0x followed by 64 hex digits", {
        field: "agreementId",
      });
    }
    const onlyId = only?.toLowerCase();
    const expiresAt = bearerExpiresAt(req) ?? 0;
    if (onlyId !== undefined) {
      const versions = await deps.terms.get(onlyId);
      if (!versions) throw new ApiError("NOT_FOUND", "the registry has no such agreement");
      assertCanRead(party, config.regulators, versions);
    }
    const lastRaw = req.get("last-event-id");
    const lastId = lastRaw !== undefined && /^[0-9]{1,15}$/.test(lastRaw) ? Number(lastRaw) : undefined;

    const regulator = config.regulators.includes(party);
    const member = new Map<string, Promise<boolean>>(); // agreementId → may this reader see it
    const mayRead = (agreementId: string): Promise<boolean> => {
      if (regulator) return Promise.resolve(true);
      let m = member.get(agreementId);
      if (!m) {
        m = deps.terms.get(agreementId).then(
          (vs) => (vs ?? []).some((v) => partiesOf(v.terms).includes(party)),
          () => false,
        );
        member.set(agreementId, m);
      }
      return m;
    };
    const release = slots.take(party);
    const wanted = (e: HubEvent): boolean =>
      (types === undefined || types.has(e.type)) && (onlyId === undefined || e.agreementId === onlyId);

    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      // One stream per connection: when the stream ends (client gone or shutdown), the socket goes with it.
      connection: "close",
      "x-accel-buffering": "no",
    });
    res.write("retry: 2000\n: connected\n\n");

    // Membership checks are async: a per-stream chain keeps events in publication order.
    let chain = Promise.resolve();
    let closed = false;
    const send = (e: HubEvent): void => {
      if (!wanted(e)) return;
      chain = chain.then(async () => {
        if (closed || !(await mayRead(e.agreementId))) return;
        write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify({ agreementId: e.agreementId, ...e.data })}\n\n`);
      });
    };
    // Node buffers what the socket cannot take yet: past the bound, the reader is too slow and is dropped.
    const write = (text: string): void => {
      if (closed) return;
      res.write(text);
      if (res.writableLength > config.sseBufferBytes) {
        stop();
        res.destroy();
      }
    };
    if (lastId !== undefined) for (const e of hub.since(lastId)) send(e);
    const heartbeat = setInterval(() => {
      write(`: heartbeat ${Math.floor(Date.now() / 1000)}\n\n`);
    }, hub.heartbeatMs);
    const expiry = setTimeout(
      () => {
        write("event: token.expired\ndata: {}\n\n");
        stop();
        res.end();
      },
      Math.max(0, expiresAt * 1000 - Date.now()),
    );
    const stop = (): void => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      clearTimeout(expiry);
      unsubscribe();
      release();
    };
    const unsubscribe = hub.subscribe(send, () => {
      stop();
      res.end();
    });
    req.on("close", stop);
    res.on("close", stop);
  });
  return r;
}

function parseTypes(raw: unknown): Set<EventType> | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== "string" || raw === "") {
    throw new ApiError("INVALID_BODY", `types: expected a comma-separated list of ${EVENT_TYPES.join(", ")}`, {
      field: "types",
    });
  }
  const out = new Set<EventType>();
  for (const t of raw.split(",")) {
    if (!(EVENT_TYPES as readonly string[]).includes(t)) {
      throw new ApiError("INVALID_BODY", `types: unknown event type "${t}"`, { field: "types" });
    }
    out.add(t as EventType);
  }
  return out;
}
