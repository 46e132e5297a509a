import type pg from "pg";
import type { LoanStats, StageFact, StatsDay } from "../statsRecords";

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

/** Loans' stats records of `stream`, read in one query, in the order asked. */
export async function readLoanStats(
  db: Queryable,
  stream: string,
  loans: readonly { agreementId: string; loanId: string }[],
): Promise<(LoanStats | undefined)[]> {
  if (loans.length === 0) return [];
  const agreements = loans.map((l) => l.agreementId.toLowerCase());
  const ids = loans.map((l) => l.loanId.toLowerCase());
  const sql =
    "SELECT agreement_id, loan_id, record FROM rp_loan_stats WHERE stream = $1 AND " +
    "(agreement_id, loan_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))";
  const { rows } = await db.query<{ agreement_id: string; loan_id: string; record: string }>(sql, [
    stream,
    agreements,
    ids,
  ]);
  const by = new Map(rows.map((r) => [`${r.agreement_id}:${r.loan_id}`, r.record]));
  return loans.map((_, i) => {
    const v = by.get(`${agreements[i]}:${ids[i]}`);
    return v === undefined ? undefined : (JSON.parse(v) as LoanStats);
  });
}

/** Deletes `stream`'s stats index (inside the caller's transaction). */
export async function deleteStats(db: Queryable, stream: string): Promise<void> {
  for (const t of ["rp_loan_stats", "rp_stats_facts", "rp_stats_days"]) {
    await db.query(`DELETE FROM ${t} WHERE stream = $1`, [stream]);
  }
}

/** An agreement's day totals for `fromDay`…`toDay`, in day order, read in pages. */
export async function* readStatsDays(
  db: Queryable,
  stream: string,
  agreementId: string,
  fromDay: number,
  toDay: number,
): AsyncIterable<[number, StatsDay]> {
  const sql =
    "SELECT day, record FROM rp_stats_days WHERE stream = $1 AND agreement_id = $2 AND day <= $3 AND day > $4 " +
    "ORDER BY day LIMIT 1000";
  const params = [stream, agreementId, toDay];
  for await (const r of pages<{ day: string; record: string }>(db, sql, params, fromDay - 1, (x) => x.day)) {
    yield [Number(r.day), JSON.parse(r.record) as StatsDay];
  }
}
