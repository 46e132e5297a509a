/** What can go wrong with the PostgreSQL store that is not a bug: codes are the API, messages free. */
export type PgStoreErrorCode =
  /** The database's schema is newer than this release's migrations. */
  | "STORE_SCHEMA_NEWER"
  /** The database cannot be reached or refused the connection (it is restarting, or down). */
  | "STORE_UNAVAILABLE"
  /** DATABASE_URL is not a postgres:// URL. */
  | "STORE_BAD_URL"
  /** A write claimed an (attester, nonce) another instance holds, and had no redo without it (Store.ts Redo). */
  | "STORE_NONCE_TAKEN";

export class PgStoreError extends Error {
  override readonly name = "PgStoreError";

  constructor(
    readonly code: PgStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// SQLSTATE classes of a server that is not there (08: connection exception, 57P: operator intervention).
const UNAVAILABLE_STATES = /^(08|57P0[1-3])/;
const UNAVAILABLE_ERRNOS = new Set(["ECONNREFUSED", "ECONNRESET", "ENOENT", "EPIPE", "ETIMEDOUT"]);

/** Whether `e` says the database is unreachable for now (restart, failover), not that the write was wrong. */
export function isUnavailable(e: unknown): boolean {
  if (e instanceof PgStoreError) return e.code === "STORE_UNAVAILABLE";
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === "string" && (UNAVAILABLE_STATES.test(code) || UNAVAILABLE_ERRNOS.has(code))) return true;
  const message = e instanceof Error ? e.message : "";
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)/i.test(
    message,
  );
}

/** `e`, or a STORE_UNAVAILABLE error caused by it when it says the database is unreachable for now. */
export function asStoreError(e: unknown): unknown {
  if (e instanceof PgStoreError || !isUnavailable(e)) return e;
  return new PgStoreError("STORE_UNAVAILABLE", "the database is unreachable (restarting, or down)", { cause: e });
}
