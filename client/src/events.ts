import { RepayProofError } from "./errors";

/** One server-sent event: its id (increasing within a service run), type and JSON data. */
export interface ServiceEvent {
  id: number | undefined;
  type: string;
  data: Record<string, unknown> & { agreementId?: string };
}

export interface EventsOptions {
  /** Only these event types (`receipt.accepted`, `batch.anchored`, `breach.opened`, `breach.closed`). */
  types?: string[];
  agreementId?: string;
  /** Resume after this event id (the service replays the last 1,024 it holds). */
  lastEventId?: number;
  /** Stops the iteration (it then ends without error). */
  signal?: AbortSignal;
  /** Failed connection attempts in a row before giving up (NETWORK); default 10. */
  maxReconnects?: number;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
  });

/** Parses one event block (`id:`, `event:`, `data:`, `retry:` lines; comments ignored). */
function parseBlock(block: string): { id?: number; type?: string; data: string; retry?: number } {
  const out: { id?: number; type?: string; data: string; retry?: number } = { data: "" };
  for (const line of block.split(/\r?\n/)) {
    const cut = line.indexOf(":");
    if (cut === 0) continue;
    const field = cut < 0 ? line : line.slice(0, cut);
    const value = cut < 0 ? "" : line.slice(cut + 1).replace(/^ /, "");
    if (field === "id" && /^\d+$/.test(value)) out.id = Number(value);
    else if (field === "event") out.type = value;
    else if (field === "data") out.data += (out.data ? "\n" : "") + value;
    else if (field === "retry" && /^\d+$/.test(value)) out.retry = Number(value);
  }
  return out;
}

/**
 * `GET /v1/events` as an async iterator. A dropped connection (network, the service restarting, a reader
 * too slow) is reopened with `Last-Event-ID` after the suggested `retry` delay; `token.expired` reopens it
 * with a fresh token (`auth(true)`). Refusals other than 429/503 throw with the service's code.
 */
export async function* eventStream(
  url: string,
  auth: (fresh: boolean) => Promise<string>,
  opts: EventsOptions,
): AsyncGenerator<ServiceEvent> {
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  const q = new URLSearchParams();
  if (opts.types?.length) q.set("types", opts.types.join(","));
  if (opts.agreementId) q.set("agreementId", opts.agreementId);
  const target = `${url}/v1/events${q.size ? `?${q}` : ""}`;
  let lastId = opts.lastEventId;
  let retryMs = 2000;
  let failures = 0;
  let fresh = false;
  try {
    while (!stop.signal.aborted) {
      let res: Response | undefined;
      try {
        const headers: Record<string, string> = { accept: "text/event-stream", authorization: await auth(fresh) };
        if (lastId !== undefined) headers["last-event-id"] = String(lastId);
        fresh = false;
        res = await fetch(target, { headers, signal: stop.signal });
      } catch (e) {
        if (stop.signal.aborted) return;
        if (e instanceof RepayProofError) throw e;
      }
      if (res && res.status !== 200) {
        const text = await res.text();
        const err = (() => {
          try {
            return (JSON.parse(text) as { error?: { code: string; message: string; details?: unknown } }).error;
          } catch {
            return undefined;
          }
        })();
        if (res.status !== 429 && res.status !== 503) {
          throw new RepayProofError(
            err?.code ?? "BAD_RESPONSE",
            err?.message ?? text.slice(0, 200),
            res.status,
            err?.details,
          );
        }
        const after = Number(res.headers.get("retry-after"));
        if (Number.isFinite(after) && after > 0) retryMs = after * 1000;
        res = undefined;
      }
      if (res?.body) {
        failures = 0; // connected: only reconnections in a row that fail count towards maxReconnects
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buf = "";
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buf += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
            let cut: number;
            while ((cut = buf.indexOf("\n\n")) >= 0) {
              const block = parseBlock(buf.slice(0, cut));
              buf = buf.slice(cut + 2);
              if (block.retry !== undefined) retryMs = block.retry;
              if (block.id !== undefined) lastId = block.id;
              if (!block.type) continue;
              if (block.type === "token.expired") {
                fresh = true;
                continue;
              }
              yield { id: block.id, type: block.type, data: block.data ? JSON.parse(block.data) : {} };
            }
          }
        } catch {
          // the connection dropped (or was aborted): reconnect below unless stopped
        } finally {
          reader.releaseLock();
        }
      }
      if (stop.signal.aborted) return;
      if (++failures > (opts.maxReconnects ?? 10)) {
        throw new RepayProofError("NETWORK", `GET /v1/events: ${failures - 1} reconnections in a row failed`);
      }
      await sleep(fresh ? 0 : retryMs, stop.signal);
    }
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    stop.abort();
  }
}
