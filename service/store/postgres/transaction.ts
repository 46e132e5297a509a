import pg from "pg";
import { asStoreError } from "./PgStoreError";
import { pages } from "./pgScans";

/**
 * Runs `fn` in one transaction on a client of its own, and releases the client: COMMIT when `fn`
 * resolves, ROLLBACK when it throws (a client whose ROLLBACK failed is dropped from the pool, not reused).
 */
export async function inTransaction<T>(
  client: pg.PoolClient,
  fn: (c: pg.PoolClient) => Promise<T>,
  begin = "BEGIN",
): Promise<T> {
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const out = await fn(client);
    await client.query("COMMIT");
    return out;
  } catch (e) {
    await client.query("ROLLBACK").catch((r: Error) => (broken = r));
    throw asStoreError(e);
  } finally {
    client.release(broken);
  }
}

/**
 * The rows of a keyset-paged query (./pgScans.ts `pages`) read inside one REPEATABLE READ snapshot: no page
 * sees a write the previous one did not, and no result holds more than a page.
 */
export async function* snapshotPages<R extends pg.QueryResultRow>(
  client: pg.PoolClient,
  sql: string,
  params: unknown[],
  start: string | number,
  keyOf: (row: R) => string | number,
): AsyncIterable<R> {
  let broken: Error | undefined;
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    yield* pages<R>(client, sql, params, start, keyOf);
  } catch (e) {
    broken = e as Error;
    throw asStoreError(e);
  } finally {
    // Read only: ending it with ROLLBACK is the same as COMMIT, and also ends a scan its reader left early.
    if (!broken) await client.query("ROLLBACK").catch((r: Error) => (broken = r));
    client.release(broken);
  }
}

/** A bounded pool whose connections' breaks (a server restart) fail their queries, never the process. */
export function createPool(connectionString: string, max: number, connectTimeoutMs: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    connectionTimeoutMillis: connectTimeoutMs,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection the server drops is an 'error' on the pool (the next query connects afresh); one
  // checked out says so as an 'error' on its client too, and its query rejects anyway.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  return pool;
}
