import type pg from "pg";
import type { StageFact } from "../statsRecords";

/** What a scan queries: the store (its pool) or one client inside a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/**
 * Keyset pagination: runs `sql` (whose last parameter is the key to read after, and which ends in
 * `ORDER BY key LIMIT n`) page after page, so no scan holds more than a page of rows.
 */
export async function* pages<R extends pg.QueryResultRow>(
  db: Queryable,
  sql: string,
  params: unknown[],
  start: string | number,
  keyOf: (row: R) => string | number,
): AsyncIterable<R> {
  const limit = Number(/LIMIT (\d+)$/.exec(sql)?.[1] ?? NaN);
  if (!Number.isSafeInteger(limit)) throw new Error("pages: the query must end in LIMIT n");
  let after = start;
  for (;;) {
    const { rows } = await db.query<R>(sql, [...params, after]);
    for (const r of rows) yield r;
    const last = rows[rows.length - 1];
    if (rows.length < limit || last === undefined) return;
    after = keyOf(last);
  }
}

// The cursor LevelDB's stats index hands out (service/store/leveldb/statsIndex.ts): the same one here.
const CURSOR = /^([0-9]{12}):(0x[0-9a-f]{64}):([0-9]{10}):([0-4])$/;
const PAGE = 500;

const cursorOf = (f: { at: string; loan_id: string; installment: string; stage: string }): string =>
  `${f.at.padStart(12, "0")}:${f.loan_id}:${f.installment.padStart(10, "0")}:${f.stage}`;

/** Stage facts of one agreement with `at` in `from`…`to`, in (at, loan, installment, stage) order, after a cursor. */
export async function* readStatsFacts(
  db: Queryable,
  stream: string,
  agreementId: string,
  from: number,
  to: number,
  after?: string,
): AsyncIterable<[string, StageFact]> {
  const m = after === undefined ? null : CURSOR.exec(after);
  let key: [string, string, string, string] = m ? [m[1]!, m[2]!, m[3]!, m[4]!] : [String(from - 1), "", "0", "0"];
  const sql =
    "SELECT at, loan_id, installment, stage, record FROM rp_stats_facts WHERE stream = $1 AND agreement_id = $2 " +
    "AND at >= $3 AND at <= $4 AND (at, loan_id, installment, stage) > ($5::bigint, $6::text, $7::bigint, $8::bigint) " +
    `ORDER BY at, loan_id, installment, stage LIMIT ${PAGE}`;
  for (;;) {
    type R = { at: string; loan_id: string; installment: string; stage: string; record: string };
    const { rows } = await db.query<R>(sql, [stream, agreementId, from, to, ...key]);
    for (const r of rows) yield [cursorOf(r), JSON.parse(r.record) as StageFact];
    const last = rows[rows.length - 1];
    if (rows.length < PAGE || last === undefined) return;
    key = [last.at, last.loan_id, last.installment, last.stage];
  }
}
