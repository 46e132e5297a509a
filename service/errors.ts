import { randomUUID } from "node:crypto";
import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "pino";

/** The error codes of the API (DESIGN.md, "Errors"): a stable union, each mapped once to its status. */
export const ERROR_STATUS = {
  INVALID_BODY: 400,
  INVALID_TIME: 400,
  BAD_SIGNATURE: 400,
  UNAUTHENTICATED: 401,
  NOT_AUTHORIZED_FOR_KIND: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  NONCE_CONFLICT: 409,
  AGREEMENT_EXISTS: 409,
  NOT_ANCHORED_YET: 409,
  BODY_TOO_LARGE: 413,
  UNKNOWN_AGREEMENT: 422,
  RATE_LIMITED: 429,
  QUOTA_EXCEEDED: 429,
  INTERNAL: 500,
  CHAIN_UNAVAILABLE: 503,
  RELAY_DISABLED: 501,
  STATS_DISABLED: 501,
  BACKLOG_FULL: 503,
  STORE_UNAVAILABLE: 503,
} as const;

/** Seconds a client is told to wait (`Retry-After`) after a 429 or 503 that names no better time. */
export const DEFAULT_RETRY_AFTER_S: Readonly<Record<number, number>> = { 429: 1, 503: 5 };

export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * The one error type of the service: a code (the API), a message (free text), optional details and, for a
 * 429 or 503, how many seconds the client should wait (`Retry-After`; DEFAULT_RETRY_AFTER_S when unset).
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly retryAfterS?: number,
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /** The JSON error body `{ error: { code, message, details? } }`. */
  toBody(): { error: { code: ErrorCode; message: string; details?: unknown } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** The JSON 404 for unknown routes (mounted after every route). */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new ApiError("NOT_FOUND", `no route for ${req.method} ${req.path}`));
};

/** The `Retry-After` seconds of a 429 or 503 answer (undefined for other statuses). */
export function retryAfterOf(e: ApiError): number | undefined {
  const fallback = DEFAULT_RETRY_AFTER_S[e.status];
  if (fallback === undefined) return undefined;
  return Math.max(1, Math.ceil(e.retryAfterS ?? fallback));
}

/**
 * The one error middleware, mounted last: ApiErrors become their body and status; body-parser failures
 * become INVALID_BODY or BODY_TOO_LARGE; anything else is our bug: 500 INTERNAL, logged with its stack.
 * Every 429 and 503 carries `Retry-After`; every 500 a `requestId` (in `details` and the `X-Request-Id`
 * header) that is also in its log line, so an operator finds the line a user quotes. `scrub` removes secrets.
 */
export function errorHandler(log: Logger, scrub: (text: string) => string = (t) => t): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let e: ApiError;
    if (isApiError(err) && err.code !== "INTERNAL") e = err;
    else if (isBodyParserError(err, "entity.too.large"))
      e = new ApiError("BODY_TOO_LARGE", "bodies are limited to 2 MiB");
    else if (isBodyParserError(err, "entity.parse.failed"))
      e = new ApiError("INVALID_BODY", "the body is not valid JSON");
    else if (isBodyParserError(err)) e = new ApiError("INVALID_BODY", (err as Error).message);
    // The database is restarting or unreachable (PgStore says so with this code): nothing was acknowledged.
    else if ((err as { code?: unknown } | null)?.code === "STORE_UNAVAILABLE")
      e = new ApiError("STORE_UNAVAILABLE", "the database is unreachable for now; retry");
    else {
      const requestId = randomUUID();
      log.error({ err, requestId, method: req.method, path: req.path }, "internal error");
      e = new ApiError("INTERNAL", `internal error (logged as ${requestId})`, { requestId });
      res.setHeader("X-Request-Id", requestId);
    }
    if (res.headersSent) return;
    const retryAfter = retryAfterOf(e);
    // Every 429 and 503 says when to come back (DESIGN.md, Errors), unless the route already did.
    if (retryAfter !== undefined && !res.getHeader("Retry-After")) res.setHeader("Retry-After", String(retryAfter));
    // A message or detail quoting a chain error must not carry RPC_URL's key: the body is scrubbed whole.
    res
      .status(e.status)
      .type("application/json")
      .send(scrub(JSON.stringify(e.toBody())));
  };
}

function isBodyParserError(err: unknown, type?: string): boolean {
  if (typeof err !== "object" || err === null) return false;
  const t = (err as { type?: unknown }).type;
  const status = (err as { status?: unknown }).status;
  if (type !== undefined) return t === type;
  return typeof t === "string" && typeof status === "number" && status >= 400 && status < 500;
}
