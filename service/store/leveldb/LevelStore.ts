import type { AbstractSublevel } from "abstract-level";
import { Level } from "level";
import type { AgreementVersion } from "@repayproof/verifier/core";
import type { NonceRef, StateUndoRef, Store, StoreBatch, WriteOp } from "../Store";
import type { AckGroup, BatchLeaves, BatchRecord, ChainIdentity, StateNode, StoredReceipt } from "../records";
import type { LoanStats, StageFact, StatsDay } from "../statsRecords";
import { entryOf } from "./entries";
import { nonceKey, seqKey, undoKey } from "./keys";
import { SUBLEVELS, type SublevelName } from "./keys";
import { clearSubs, readLoanStats, readStatsDays, readStatsFacts } from "./statsIndex";
import { exportOps } from "./exportOps";
import { NativeBatches, rawPathOpen, type RawBatchDb, type RawEntry } from "./rawBatches";
import { decodeStateNode } from "../stateNodeCodec";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Sub = AbstractSublevel<any, string | Buffer | Uint8Array, string, string>;

const parse = <T>(v: string | undefined): T | undefined => (v === undefined ? undefined : (JSON.parse(v) as T));

/**
 * The LevelDB store: one database under DATA_DIR, a sublevel per record kind (./keys.ts). Every write is
 * one atomic `db.batch` with `sync: true`, so everything an Ack promises is on disk before it is sent.
 */
export class LevelStore implements Store {
  private readonly db: Level<string, string>;
  private readonly subs: Record<SublevelName, Sub>;
  private readonly native: NativeBatches;

  constructor(dir: string) {
    this.db = new Level<string, string>(dir, { keyEncoding: "utf8", valueEncoding: "utf8" });
    const subs: Partial<Record<SublevelName, Sub>> = {};
    for (const name of SUBLEVELS) {
      subs[name] = this.db.sublevel<string, string>(name, { keyEncoding: "utf8", valueEncoding: "utf8" }) as Sub;
    }
    this.subs = subs as Record<SublevelName, Sub>;
    this.native = new NativeBatches(this.db as unknown as RawBatchDb);
  }

  async open(): Promise<void> {
    await this.db.open();
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /**
   * abstract-level's public `batch` clones, validates and re-encodes every op (~9 µs of main-thread CPU per op;
   * ingest writes ~5 per receipt). Our utf8 keys and values are prefixed here and handed to classic-level's
   * `_batch` (where `batch` ends), `sync: true`; when the database is not in the state that assumes, `batch`.
   */
  async write(ops: readonly WriteOp[]): Promise<void> {
    if (ops.length === 0) return;
    const db = this.db as unknown as RawBatchDb;
    const entries = ops.map((op) => entryOf(op));
    if (rawPathOpen(db) && typeof db._batch === "function") {
      const raw = entries.map(([sub, key, value]) => {
        const k = (this.subs[sub].prefix as string) + key;
        return value === undefined
          ? { type: "del", key: k, keyEncoding: "utf8" }
          : { type: "put", key: k, value, keyEncoding: "utf8", valueEncoding: "utf8" };
      });
      await db._batch(raw, { sync: true });
      return;
    }
    const batch = entries.map(([sub, key, value]) =>
      value === undefined
        ? { type: "del" as const, sublevel: this.subs[sub], key }
        : { type: "put" as const, sublevel: this.subs[sub], key, value },
    );
    await this.db.batch(batch as never, { sync: true } as never);
  }

  /** A group commit's write (./rawBatches: native batches on the raw path, else ops applied by {@link write}). */
  batch(): StoreBatch {
    if (!this.native.usable()) {
      const ops: WriteOp[] = [];
      return { add: (more) => ops.push(...more), write: () => this.write(ops) };
    }
    return this.native.batch((ops) =>
      ops.map((op): RawEntry => {
        const [sub, key, value] = entryOf(op);
        return [(this.subs[sub].prefix as string) + key, value];
      }),
    );
  }

  async getReceipt(digest: string): Promise<StoredReceipt | undefined> {
    return parse<StoredReceipt>(await this.subs.receipts.get(digest));
  }

  async getReceipts(digests: readonly string[]): Promise<(StoredReceipt | undefined)[]> {
    if (digests.length === 0) return [];
    return (await this.subs.receipts.getMany([...digests])).map((v) => parse<StoredReceipt>(v));
  }

  async nonceOwners(refs: readonly NonceRef[]): Promise<(string | undefined)[]> {
    if (refs.length === 0) return [];
    return this.subs.nonces.getMany(refs.map((r) => nonceKey(r.attester, r.nonce)));
  }

  async getAckGroup(root: string): Promise<AckGroup | undefined> {
    return parse<AckGroup>(await this.subs.ackGroups.get(root));
  }

  async *pendingEntries(): AsyncIterable<[number, string]> {
    for await (const [k, v] of this.subs.pending.iterator()) yield [Number(k), v];
  }

  async getBatch(seq: number): Promise<BatchRecord | undefined> {
    return parse<BatchRecord>(await this.subs.batches.get(seqKey(seq)));
  }

  async getLeaves(seq: number): Promise<BatchLeaves | undefined> {
    return parse<BatchLeaves>(await this.subs.leaves.get(seqKey(seq)));
  }

  async batchSeqOf(digest: string): Promise<number | undefined> {
    const v = await this.subs.batchOf.get(digest);
    return v === undefined ? undefined : Number(v);
  }

  async batchSeqsOf(digests: readonly string[]): Promise<(number | undefined)[]> {
    if (digests.length === 0) return [];
    return (await this.subs.batchOf.getMany([...digests])).map((v) => (v === undefined ? undefined : Number(v)));
  }

  async lastBatch(): Promise<BatchRecord | undefined> {
    for await (const v of this.subs.batches.values({ reverse: true, limit: 1 })) return JSON.parse(v) as BatchRecord;
    return undefined;
  }

  async unfinishedBatches(): Promise<BatchRecord[]> {
    const out: BatchRecord[] = [];
    for await (const v of this.subs.batches.values({ reverse: true })) {
      const b = JSON.parse(v) as BatchRecord;
      if (b.state === "FINAL") break;
      out.push(b);
    }
    return out.reverse();
  }

  async latestAnchoredAt(): Promise<number | undefined> {
    // Batches anchor in seq order, so only the unanchored tail is walked.
    for await (const v of this.subs.batches.values({ reverse: true })) {
      const b = JSON.parse(v) as BatchRecord;
      if (b.anchoredAt !== undefined) return b.anchoredAt;
    }
    return undefined;
  }

  async digestsOfLoan(loanId: string): Promise<string[]> {
    return this.suffixes("loans", loanId);
  }

  async loansOfAgreement(agreementId: string): Promise<string[]> {
    return this.suffixes("agreementLoans", agreementId);
  }

  /** The rest of every key of `sub` that starts with `prefix:`, in key order. */
  private async suffixes(sub: SublevelName, prefix: string): Promise<string[]> {
    const out: string[] = [];
    const p = prefix.toLowerCase() + ":";
    for await (const k of this.subs[sub].keys({ gte: p, lt: p + "~" })) out.push(k.slice(p.length));
    return out;
  }

  async getTerms(agreementId: string): Promise<AgreementVersion[] | undefined> {
    return parse<AgreementVersion[]>(await this.subs.terms.get(agreementId.toLowerCase()));
  }

  async *termsEntries(): AsyncIterable<[string, AgreementVersion[]]> {
    for await (const [id, v] of this.subs.terms.iterator()) yield [id, JSON.parse(v) as AgreementVersion[]];
  }

  async shareRevokedAt(digest: string): Promise<number | undefined> {
    return parse<number>(await this.subs.revokedShares.get(digest.toLowerCase()));
  }

  async getLoanStats(loans: readonly { agreementId: string; loanId: string }[]): Promise<(LoanStats | undefined)[]> {
    return readLoanStats(this.subs.loanStats, loans);
  }

  statsDays(agreementId: string, fromDay: number, toDay: number): AsyncIterable<[number, StatsDay]> {
    return readStatsDays(this.subs.statsDays, agreementId, fromDay, toDay);
  }

  statsFacts(agreementId: string, from: number, to: number, after?: string): AsyncIterable<[string, StageFact]> {
    return readStatsFacts(this.subs.statsFacts, agreementId, from, to, after);
  }

  async clearStats(): Promise<void> {
    await clearSubs([this.subs.loanStats, this.subs.statsFacts, this.subs.statsDays]);
  }

  async stateNodes(paths: readonly string[]): Promise<(StateNode | undefined)[]> {
    if (paths.length === 0) return [];
    return (await this.subs.smt.getMany([...paths])).map((v) => (v === undefined ? undefined : decodeStateNode(v)));
  }

  async stateUndo(refs: readonly StateUndoRef[]): Promise<(StateNode | null | undefined)[]> {
    if (refs.length === 0) return [];
    const values = await this.subs.smtUndo.getMany(refs.map((r) => undoKey(r.seq, r.path)));
    return values.map((v) => (v === undefined ? undefined : v === "" ? null : decodeStateNode(v)));
  }

  async dropStateUndo(throughSeq: number): Promise<void> {
    await this.subs.smtUndo.clear({ lt: seqKey(throughSeq + 1) });
  }

  async getMeta<T>(name: string): Promise<T | undefined> {
    return parse<T>(await this.subs.meta.get(name));
  }

  async getIdentity(): Promise<ChainIdentity | undefined> {
    return this.getMeta<ChainIdentity>("identity");
  }

  /** Every record but the stats index's, as the op that writes it (a move to PostgreSQL: scripts/migrateStore.ts). */
  records(): AsyncIterable<WriteOp> {
    return exportOps(this.subs);
  }
}
