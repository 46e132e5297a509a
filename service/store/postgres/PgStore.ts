import pg from "pg";
import type { AgreementVersion } from "@repayproof/verifier/core";
import type { NonceRef, SharedStreams, StateUndoRef, Store, StoreBatch, WriteOp } from "../Store";
import type { AckGroup, BatchLeaves, BatchRecord, ChainIdentity, StateNode, StoredReceipt } from "../records";
import type { LoanStats, StageFact, StatsDay } from "../statsRecords";
import { applyRows } from "./applyRows";
import { migrate } from "./migrations";
import { pgSharedStreams } from "./pgSharedStreams";
import { RowSet } from "./pgOps";
import { asStoreError, PgStoreError } from "./PgStoreError";
import { deleteStats, pages, readLoanStats, readStatsDays, readStatsFacts } from "./pgScans";
import { readStateNodes, readStateUndo } from "./pgStateTree";
import { createPool, inTransaction, snapshotPages } from "./transaction";

const BY_SEQ = "stream = $1 AND seq = $2";
const parse = <T>(v: string | undefined): T | undefined => (v === undefined ? undefined : (JSON.parse(v) as T));

export interface PgStoreOptions {
  /** This instance's stream: the per-stream records (pending queue, batches, meta, stats) are its own. */
  stream: string;
  /** Connections at most (PG_POOL_MAX). */
  poolMax?: number;
  /** How long a connection attempt may take before the store reports the database unavailable (ms). */
  connectTimeoutMs?: number;
}

/**
 * The PostgreSQL store (DATABASE_URL): one row per record in the tables of ./migrations.ts. Every write is
 * one transaction, committed before it resolves (synchronous_commit, the server's default, makes that
 * durable), so everything an Ack promises is in the database before it is sent. Receipts, nonces, loans,
 * terms and revocations are shared by every instance on the database; the rest is per stream.
 */
export class PgStore implements Store {
  /** The pool: bounded (PG_POOL_MAX), and every query waits at most `connectTimeoutMs` for a connection. */
  readonly pool: pg.Pool;
  readonly stream: string;

  /** Whether close() ends the pool (a view of another stream shares its store's pool). */
  private readonly ownsPool: boolean;

  constructor(databaseUrl: string | pg.Pool, opts: PgStoreOptions) {
    this.stream = opts.stream.toLowerCase();
    this.ownsPool = typeof databaseUrl === "string";
    if (typeof databaseUrl !== "string") {
      this.pool = databaseUrl;
      return;
    }
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
      throw new PgStoreError("STORE_BAD_URL", "DATABASE_URL must be a postgres:// or postgresql:// URL");
    }
    this.pool = createPool(databaseUrl, opts.poolMax ?? 10, opts.connectTimeoutMs ?? 5_000);
  }

  /** A query on the pool; a database that is away fails it with STORE_UNAVAILABLE (./PgStoreError.ts). */
  async query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(text, values).catch((e: unknown) => {
      throw asStoreError(e);
    });
  }

  private async connect(): Promise<pg.PoolClient> {
    return this.pool.connect().catch((e: unknown) => {
      throw asStoreError(e);
    });
  }

  async open(): Promise<void> {
    await migrate(this.pool);
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }

  readonly shared: SharedStreams = pgSharedStreams(this, (stream) => new PgStore(this.pool, { stream }));

  async write(ops: readonly WriteOp[]): Promise<void> {
    const rows = new RowSet(this.stream);
    rows.add(ops);
    return this.apply(rows);
  }

  batch(): StoreBatch {
    const rows = new RowSet(this.stream);
    return { add: (ops, redo) => rows.add(ops, redo), write: () => this.apply(rows) };
  }

  /** One transaction (./applyRows.ts): nonces first, a statement per table, then COMMIT; a failure rolls all back. */
  private async apply(rows: RowSet): Promise<void> {
    if (rows.size > 0) await applyRows(await this.connect(), rows);
  }

  private async one<T = string>(sql: string, params: unknown[]): Promise<T | undefined> {
    const { rows } = await this.query<{ v: T }>(sql, params);
    return rows[0]?.v;
  }

  async getReceipt(digest: string): Promise<StoredReceipt | undefined> {
    return parse(await this.one("SELECT record AS v FROM rp_receipts WHERE digest = $1", [digest]));
  }

  async getReceipts(digests: readonly string[]): Promise<(StoredReceipt | undefined)[]> {
    if (digests.length === 0) return [];
    const sql = "SELECT digest, record FROM rp_receipts WHERE digest = ANY($1::text[])";
    const { rows } = await this.query<{ digest: string; record: string }>(sql, [digests]);
    const by = new Map(rows.map((r) => [r.digest, r.record]));
    return digests.map((d) => parse<StoredReceipt>(by.get(d)));
  }

  async nonceOwners(refs: readonly NonceRef[]): Promise<(string | undefined)[]> {
    if (refs.length === 0) return [];
    const attesters = refs.map((r) => r.attester.toLowerCase());
    const sql =
      "SELECT attester, nonce, digest FROM rp_nonces WHERE (attester, nonce) IN (SELECT * FROM unnest($1::text[], $2::text[]))";
    const { rows } = await this.query<{ attester: string; nonce: string; digest: string }>(sql, [
      attesters,
      refs.map((r) => r.nonce),
    ]);
    const by = new Map(rows.map((r) => [`${r.attester}:${r.nonce}`, r.digest]));
    return refs.map((r, i) => by.get(`${attesters[i]}:${r.nonce}`));
  }

  async getAckGroup(root: string): Promise<AckGroup | undefined> {
    return parse(await this.one("SELECT record AS v FROM rp_ack_groups WHERE root = $1", [root]));
  }

  /** One snapshot (REPEATABLE READ), read in pages: never half a write, never the whole queue in one result. */
  async *pendingEntries(): AsyncIterable<[number, string]> {
    const sql = "SELECT key, entry FROM rp_pending WHERE stream = $1 AND key > $2 ORDER BY key LIMIT 1000";
    type R = { key: string; entry: string };
    for await (const r of snapshotPages<R>(await this.connect(), sql, [this.stream], -1, (x) => x.key)) {
      yield [Number(r.key), r.entry];
    }
  }

  async getBatch(seq: number): Promise<BatchRecord | undefined> {
    return parse(await this.one(`SELECT record AS v FROM rp_batches WHERE ${BY_SEQ}`, [this.stream, seq]));
  }

  async getLeaves(seq: number): Promise<BatchLeaves | undefined> {
    return parse(await this.one(`SELECT record AS v FROM rp_leaves WHERE ${BY_SEQ}`, [this.stream, seq]));
  }

  async batchSeqOf(digest: string): Promise<number | undefined> {
    return (await this.batchSeqsOf([digest]))[0];
  }

  async batchSeqsOf(digests: readonly string[]): Promise<(number | undefined)[]> {
    if (digests.length === 0) return [];
    const sql = "SELECT digest, seq FROM rp_batch_of WHERE stream = $1 AND digest = ANY($2::text[])";
    const { rows } = await this.query<{ digest: string; seq: string }>(sql, [this.stream, digests]);
    const by = new Map(rows.map((r) => [r.digest, Number(r.seq)]));
    return digests.map((d) => by.get(d));
  }

  async lastBatch(): Promise<BatchRecord | undefined> {
    const sql = "SELECT record AS v FROM rp_batches WHERE stream = $1 ORDER BY seq DESC LIMIT 1";
    return parse(await this.one(sql, [this.stream]));
  }

  async unfinishedBatches(): Promise<BatchRecord[]> {
    // Batches finalise in seq order: everything above the highest FINAL one.
    const sql =
      "SELECT record FROM rp_batches WHERE stream = $1 AND seq > " +
      "COALESCE((SELECT max(seq) FROM rp_batches WHERE stream = $1 AND state = 'FINAL'), -1) ORDER BY seq";
    const { rows } = await this.query<{ record: string }>(sql, [this.stream]);
    return rows.map((r) => JSON.parse(r.record) as BatchRecord);
  }

  async latestAnchoredAt(): Promise<number | undefined> {
    const sql =
      "SELECT anchored_at AS v FROM rp_batches WHERE stream = $1 AND anchored_at IS NOT NULL ORDER BY seq DESC LIMIT 1";
    const v = await this.one(sql, [this.stream]);
    return v === undefined ? undefined : Number(v);
  }

  async digestsOfLoan(loanId: string): Promise<string[]> {
    const sql = "SELECT digest FROM rp_loan_receipts WHERE loan_id = $1 ORDER BY digest";
    return (await this.query<{ digest: string }>(sql, [loanId.toLowerCase()])).rows.map((r) => r.digest);
  }

  async loansOfAgreement(agreementId: string): Promise<string[]> {
    const sql = "SELECT loan_id FROM rp_agreement_loans WHERE agreement_id = $1 ORDER BY loan_id";
    return (await this.query<{ loan_id: string }>(sql, [agreementId.toLowerCase()])).rows.map((r) => r.loan_id);
  }

  async getTerms(agreementId: string): Promise<AgreementVersion[] | undefined> {
    return parse(
      await this.one("SELECT record AS v FROM rp_terms WHERE agreement_id = $1", [agreementId.toLowerCase()]),
    );
  }

  async *termsEntries(): AsyncIterable<[string, AgreementVersion[]]> {
    const sql = "SELECT agreement_id, record FROM rp_terms WHERE agreement_id > $1 ORDER BY agreement_id LIMIT 1000";
    type R = { agreement_id: string; record: string };
    for await (const r of pages<R>(this, sql, [], "", (x) => x.agreement_id)) {
      yield [r.agreement_id, JSON.parse(r.record) as AgreementVersion[]];
    }
  }

  async shareRevokedAt(digest: string): Promise<number | undefined> {
    const v = await this.one("SELECT at AS v FROM rp_revoked_shares WHERE digest = $1", [digest.toLowerCase()]);
    return v === undefined ? undefined : Number(v);
  }

  getLoanStats(loans: readonly { agreementId: string; loanId: string }[]): Promise<(LoanStats | undefined)[]> {
    return readLoanStats(this, this.stream, loans);
  }

  statsDays(agreementId: string, fromDay: number, toDay: number): AsyncIterable<[number, StatsDay]> {
    return readStatsDays(this, this.stream, agreementId.toLowerCase(), fromDay, toDay);
  }

  statsFacts(agreementId: string, from: number, to: number, after?: string): AsyncIterable<[string, StageFact]> {
    return readStatsFacts(this, this.stream, agreementId.toLowerCase(), from, to, after);
  }

  async clearStats(): Promise<void> {
    await inTransaction(await this.connect(), (c) => deleteStats(c, this.stream));
  }

  stateNodes(paths: readonly string[]): Promise<(StateNode | undefined)[]> {
    return readStateNodes(this, this.stream, paths);
  }

  stateUndo(refs: readonly StateUndoRef[]): Promise<(StateNode | null | undefined)[]> {
    return readStateUndo(this, this.stream, refs);
  }

  async dropStateUndo(throughSeq: number): Promise<void> {
    await this.query("DELETE FROM rp_state_undo WHERE stream = $1 AND seq <= $2", [this.stream, throughSeq]);
  }

  async getMeta<T>(name: string): Promise<T | undefined> {
    return parse<T>(
      await this.one("SELECT value AS v FROM rp_meta WHERE stream = $1 AND name = $2", [this.stream, name]),
    );
  }

  async getIdentity(): Promise<ChainIdentity | undefined> {
    return this.getMeta<ChainIdentity>("identity");
  }
}
