import type { Pool, PoolClient } from "pg";
import { PgStoreError } from "./PgStoreError";

/**
 * The schema, as numbered migrations applied in order at start and recorded in `rp_migrations`. A migration
 * is never edited once released: a change is a new one. Kept to SQL that Citus, YugabyteDB and CockroachDB
 * also run (docs/operations.md): plain tables with composite primary keys, text and bigint columns, JSON
 * kept as text, no triggers, no sequences, no stored procedures, no partial indexes.
 *
 * Per-stream records (the pending queue, batches, their leaves, meta, the stats index, the loan state tree) carry the stream, so
 * instances with their own operator and stream share one database without sharing these.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: readonly string[] }[] = [
  {
    version: 1,
    name: "records of v0.2",
    sql: [
      "CREATE TABLE rp_receipts (digest text PRIMARY KEY, record text NOT NULL)",
      // The (attester, nonce) rule is the primary key: two instances cannot both store one pair.
      "CREATE TABLE rp_nonces (attester text NOT NULL, nonce text NOT NULL, digest text NOT NULL, PRIMARY KEY (attester, nonce))",
      "CREATE TABLE rp_loan_receipts (loan_id text NOT NULL, digest text NOT NULL, PRIMARY KEY (loan_id, digest))",
      "CREATE TABLE rp_agreement_loans (agreement_id text NOT NULL, loan_id text NOT NULL, PRIMARY KEY (agreement_id, loan_id))",
      "CREATE TABLE rp_ack_groups (root text PRIMARY KEY, record text NOT NULL)",
      "CREATE TABLE rp_pending (stream text NOT NULL, key bigint NOT NULL, entry text NOT NULL, PRIMARY KEY (stream, key))",
      "CREATE TABLE rp_batches (stream text NOT NULL, seq bigint NOT NULL, state text NOT NULL, anchored_at bigint, record text NOT NULL, PRIMARY KEY (stream, seq))",
      "CREATE TABLE rp_leaves (stream text NOT NULL, seq bigint NOT NULL, record text NOT NULL, PRIMARY KEY (stream, seq))",
      "CREATE TABLE rp_batch_of (stream text NOT NULL, digest text NOT NULL, seq bigint NOT NULL, PRIMARY KEY (stream, digest))",
      "CREATE TABLE rp_terms (agreement_id text PRIMARY KEY, record text NOT NULL)",
      "CREATE TABLE rp_meta (stream text NOT NULL, name text NOT NULL, value text NOT NULL, PRIMARY KEY (stream, name))",
      "CREATE TABLE rp_revoked_shares (digest text PRIMARY KEY, at bigint NOT NULL)",
      "CREATE TABLE rp_loan_stats (stream text NOT NULL, agreement_id text NOT NULL, loan_id text NOT NULL, record text NOT NULL, PRIMARY KEY (stream, agreement_id, loan_id))",
      "CREATE TABLE rp_stats_facts (stream text NOT NULL, agreement_id text NOT NULL, at bigint NOT NULL, loan_id text NOT NULL, installment bigint NOT NULL, stage bigint NOT NULL, record text NOT NULL, PRIMARY KEY (stream, agreement_id, at, loan_id, installment, stage))",
      "CREATE TABLE rp_stats_days (stream text NOT NULL, agreement_id text NOT NULL, day bigint NOT NULL, record text NOT NULL, PRIMARY KEY (stream, agreement_id, day))",
    ],
  },
  {
    version: 2,
    name: "find a receipt's batch whatever the stream",
    // Several instances on one database: any of them serves the proof of a receipt another one sealed.
    sql: ["CREATE INDEX rp_batch_of_digest ON rp_batch_of (digest)"],
  },
  {
    version: 3,
    name: "instances alive on the database",
    // Each instance's heartbeat: the rate limit is shared out between the instances alive (./LiveInstances.ts).
    sql: ["CREATE TABLE rp_instances (stream text PRIMARY KEY, seen_at bigint NOT NULL)"],
  },
  {
    version: 4,
    name: "loan state tree nodes",
    // Per stream: each instance seals its own batches, so each keeps its own tree (records: service/store/stateNodeCodec.ts).
    sql: [
      "CREATE TABLE rp_state_nodes (stream text NOT NULL, path text NOT NULL, record text NOT NULL, PRIMARY KEY (stream, path))",
    ],
  },
  {
    version: 5,
    name: "loan state tree: what each unfinished batch overwrote",
    // A NULL record: the batch found nothing there. Rows go once a later batch is FINAL (Store.dropStateUndo).
    sql: [
      "CREATE TABLE rp_state_undo (stream text NOT NULL, seq bigint NOT NULL, path text NOT NULL, record text, PRIMARY KEY (stream, seq, path))",
    ],
  },
];

async function applied(db: Pool | PoolClient): Promise<Set<number>> {
  const { rows } = await db.query<{ version: string }>("SELECT version FROM rp_migrations");
  return new Set(rows.map((r) => Number(r.version)));
}

/**
 * Brings the schema up to {@link MIGRATIONS}: each missing one in its own transaction with its record, so
 * a migration is all there or not at all. Instances starting together may race: the loser's transaction
 * fails, and it goes on when the winner's record is there. A database of a newer release is refused.
 */
export async function migrate(pool: Pool): Promise<number[]> {
  const create =
    "CREATE TABLE IF NOT EXISTS rp_migrations (version bigint PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)";
  // IF NOT EXISTS does not hold against a concurrent CREATE: the loser fails, and finds the winner's table.
  await pool.query(create).catch(async (e: unknown) => {
    if (
      !(await applied(pool).then(
        () => true,
        () => false,
      ))
    )
      throw e;
  });
  const done = await applied(pool);
  const known = new Set(MIGRATIONS.map((m) => m.version));
  const newer = [...done].filter((v) => !known.has(v));
  if (newer.length > 0) {
    throw new PgStoreError(
      "STORE_SCHEMA_NEWER",
      `the database has schema version ${Math.max(...newer)}, newer than this release knows (${Math.max(...known)}): run the newer release`,
    );
  }
  const ran: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      for (const sql of m.sql) await client.query(sql);
      await client.query("INSERT INTO rp_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [
        m.version,
        m.name,
        Date.now(),
      ]);
      await client.query("COMMIT");
      ran.push(m.version);
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      if (!(await applied(pool)).has(m.version)) throw e;
    } finally {
      client.release();
    }
  }
  return ran;
}
