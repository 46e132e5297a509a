import { RepayProofError } from "./errors";

/** How requests are retried: network errors and 503/429 (honouring `Retry-After`), a bounded number of times. */
export interface RetryPolicy {
  /** Attempts after the first; default 5. */
  retries: number;
  /** Back-off after a network error: this many ms, doubling, capped by `maxDelayMs`; default 250. */
  baseDelayMs: number;
  /** The longest wait between attempts, `Retry-After` included; default 30,000. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, baseDelayMs: 250, maxDelayMs: 30_000 };

/** One call: method, path under the service URL, JSON body, `authorization` header. */
export interface Call {
  method: "GET" | "POST";
  path: string;
  body?: unknown;
  auth?: string;
  /** Retry this call (it must be idempotent: every call the client makes is). Default true. */
  retry?: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `Retry-After` in ms (seconds or an HTTP date), or undefined. */
function retryAfterMs(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The error an answer carries: the service's `{ error }` body, or BAD_RESPONSE when it has none. */
function refusal(status: number, body: unknown, text: string): RepayProofError {
  const err = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (err && typeof err.code === "string") {
    return new RepayProofError(err.code, String(err.message ?? ""), status, err.details);
  }
  return new RepayProofError("BAD_RESPONSE", `HTTP ${status}: ${text.slice(0, 200)}`, status);
}

/**
 * Sends `call` to `baseUrl` and returns the parsed JSON of a 2xx answer; retries network errors and 503/429
 * (waiting `Retry-After` when given), at most `policy.retries` times; throws {@link RepayProofError} with the
 * service's code otherwise.
 */
export async function requestJson<T>(baseUrl: string, call: Call, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  const tries = call.retry === false ? 0 : policy.retries;
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(baseUrl + call.path, {
        method: call.method,
        headers: {
          accept: "application/json",
          ...(call.body === undefined ? {} : { "content-type": "application/json" }),
          ...(call.auth ? { authorization: call.auth } : {}),
        },
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      });
    } catch (e) {
      if (attempt >= tries) {
        const why = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
        throw new RepayProofError("NETWORK", `${call.method} ${call.path}: ${why}`);
      }
      await sleep(Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
      continue;
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (res.ok) {
      if (body === undefined) throw new RepayProofError("BAD_RESPONSE", `${call.path}: not JSON`, res.status);
      return body as T;
    }
    if ((res.status === 503 || res.status === 429) && attempt < tries) {
      const wait = retryAfterMs(res.headers.get("retry-after")) ?? policy.baseDelayMs * 2 ** attempt;
      await sleep(Math.min(policy.maxDelayMs, wait));
      continue;
    }
    throw refusal(res.status, body, text);
  }
}
