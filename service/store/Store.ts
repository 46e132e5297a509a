import type { AbstractSublevel } from "abstract-level";
import { Level } from "level";
import type { AgreementVersion } from "@repayproof/verifier";
import type { BatchLeaves, BatchRecord, ChainIdentity, StoredReceipt } from "./records";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Sub = AbstractSublevel<any, string | Buffer | Uint8Array, string, string>;

/** A write of one group commit: puts and deletes across sublevels, applied atomically. */
export type WriteOp =
  { type: "put"; sublevel: Sub; key: string; value: string } | { type: "del"; sublevel: Sub; key: string };

/** classic-level's own batch entry point: takes ops already prefixed and encoded (what `batch` hands it). */
interface RawBatchDb {
  status: string;
  hooks: { prewrite: { noop: boolean } };
  _batch(ops: object[], options: { sync: boolean }): Promise<void>;
}

const SEQ_WIDTH = 12;
const PENDING_WIDTH = 16;

/** Fixed-width decimal keys sort in numeric order. */
export const seqKey = (seq: number): string => String(seq).padStart(SEQ_WIDTH, "0");
export const pendingKey = (n: number): string => String(n).padStart(PENDING_WIDTH, "0");
export const nonceKey = (attester: string, nonce: string): string => `${attester.toLowerCase()}:${nonce}`;

/**
 * The LevelDB store (one database, sublevels per index). Every multi-record change is one atomic
 * `db.batch`; everything an Ack promises is written with `sync: true`. Nothing here keeps records in memory.
 */
export class Store {
  readonly db: Level<string, string>;
  readonly receipts: Sub; // digest → StoredReceipt JSON
  readonly nonces: Sub; // attester:nonce → digest
  readonly pending: Sub; // arrival counter → digest:acceptedAtMs (the OPEN batch)
  readonly batches: Sub; // seq → BatchRecord JSON
  readonly leaves: Sub; // seq → BatchLeaves JSON
  readonly batchOf: Sub; // digest → seq
  readonly loans: Sub; // loanId:digest → ""
  readonly agreementLoans: Sub; // agreementId:loanId → ""
  readonly terms: Sub; // agreementId → AgreementVersion[] JSON
  readonly meta: Sub; // name → JSON

  constructor(dir: string) {
    this.db = new Level<string, string>(dir, { keyEncoding: "utf8", valueEncoding: "utf8" });
    const sub = (name: string): Sub =>
      this.db.sublevel<string, string>(name, { keyEncoding: "utf8", valueEncoding: "utf8" }) as Sub;
    this.receipts = sub("receipts");
    this.nonces = sub("nonces");
    this.pending = sub("pending");
    this.batches = sub("batches");
    this.leaves = sub("leaves");
    this.batchOf = sub("batchOf");
    this.loans = sub("loans");
    this.agreementLoans = sub("agreementLoans");
    this.terms = sub("terms");
    this.meta = sub("meta");
  }

  async open(): Promise<void> {
    await this.db.open();
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /**
   * Applies `ops` atomically and durably (fsync before resolving). abstract-level's public `batch` clones,
   * validates and re-encodes every op (~9 µs of main-thread CPU per op; ingest writes ~5 per receipt);
   * our ops are utf8 strings on sublevels of this database, so we prefix the keys ourselves and hand them
   * to classic-level's `_batch`, the call `batch` ends with, with the same `sync: true`. Anything else (not
   * open, a prewrite hook, a foreign sublevel, a non-string) takes the public path.
   */
  async write(ops: WriteOp[]): Promise<void> {
    if (ops.length === 0) return;
    const raw = this.rawOps(ops);
    if (raw) await (this.db as unknown as RawBatchDb)._batch(raw, { sync: true });
    else await this.db.batch(ops as never, { sync: true } as never);
  }

  private rawOps(ops: WriteOp[]): object[] | undefined {
    const db = this.db as unknown as RawBatchDb;
    if (db.status !== "open" || !db.hooks.prewrite.noop || typeof db._batch !== "function") return undefined;
    const raw: object[] = new Array(ops.length);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i] as WriteOp;
      const sub = op.sublevel;
      if ((sub.db as unknown) !== db || (sub as unknown) === db || typeof sub.prefix !== "string") return undefined;
      if (typeof op.key !== "string") return undefined;
      const key = sub.prefix + op.key;
      if (op.type === "put") {
        if (typeof op.value !== "string") return undefined;
        raw[i] = { type: "put", key, value: op.value, keyEncoding: "utf8", valueEncoding: "utf8" };
      } else raw[i] = { type: "del", key, keyEncoding: "utf8" };
    }
    return raw;
  }

  async getReceipt(digest: string): Promise<StoredReceipt | undefined> {
    const v = await this.receipts.get(digest);
    return v === undefined ? undefined : (JSON.parse(v) as StoredReceipt);
  }

  async getBatch(seq: number): Promise<BatchRecord | undefined> {
    const v = await this.batches.get(seqKey(seq));
    return v === undefined ? undefined : (JSON.parse(v) as BatchRecord);
  }

  async getLeaves(seq: number): Promise<BatchLeaves | undefined> {
    const v = await this.leaves.get(seqKey(seq));
    return v === undefined ? undefined : (JSON.parse(v) as BatchLeaves);
  }

  async batchSeqOf(digest: string): Promise<number | undefined> {
    const v = await this.batchOf.get(digest);
    return v === undefined ? undefined : Number(v);
  }

  putBatchOp(b: BatchRecord): WriteOp {
    return { type: "put", sublevel: this.batches, key: seqKey(b.seq), value: JSON.stringify(b) };
  }

  async putBatch(b: BatchRecord): Promise<void> {
    await this.write([this.putBatchOp(b)]);
  }

  /** The highest batch record, or undefined before the first seal. */
  async lastBatch(): Promise<BatchRecord | undefined> {
    for await (const v of this.batches.values({ reverse: true, limit: 1 })) return JSON.parse(v) as BatchRecord;
    return undefined;
  }

  /**
   * Block time of the latest anchored batch (the service's view of the chain: the timeline's `now`), or
   * undefined before the first anchor. Batches anchor in seq order, so only the unanchored tail is walked.
   */
  async latestAnchoredAt(): Promise<number | undefined> {
    for await (const v of this.batches.values({ reverse: true })) {
      const b = JSON.parse(v) as BatchRecord;
      if (b.anchoredAt !== undefined) return b.anchoredAt;
    }
    return undefined;
  }

  /** Batches not yet FINAL, oldest first (a bounded tail: batches finalise in order). */
  async unfinishedBatches(): Promise<BatchRecord[]> {
    const out: BatchRecord[] = [];
    for await (const v of this.batches.values({ reverse: true })) {
      const b = JSON.parse(v) as BatchRecord;
      if (b.state === "FINAL") break;
      out.push(b);
    }
    return out.reverse();
  }

  async getMeta<T>(name: string): Promise<T | undefined> {
    const v = await this.meta.get(name);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }

  async putMeta(name: string, value: unknown): Promise<void> {
    await this.write([{ type: "put", sublevel: this.meta, key: name, value: JSON.stringify(value) }]);
  }

  async getIdentity(): Promise<ChainIdentity | undefined> {
    return this.getMeta<ChainIdentity>("identity");
  }

  async getTerms(agreementId: string): Promise<AgreementVersion[] | undefined> {
    const v = await this.terms.get(agreementId);
    return v === undefined ? undefined : (JSON.parse(v) as AgreementVersion[]);
  }

  async putTerms(agreementId: string, versions: AgreementVersion[]): Promise<void> {
    await this.write([{ type: "put", sublevel: this.terms, key: agreementId, value: JSON.stringify(versions) }]);
  }

  /** Digests of a loan's receipts (for the timeline issue), in key order. */
  async digestsOfLoan(loanId: string): Promise<string[]> {
    const out: string[] = [];
    const prefix = loanId.toLowerCase() + ":";
    for await (const k of this.loans.keys({ gte: prefix, lt: prefix + "~" })) out.push(k.slice(prefix.length));
    return out;
  }

  /** Loan ids seen under an agreement (for the timeline and reconciliation issue). */
  async loansOfAgreement(agreementId: string): Promise<string[]> {
    const out: string[] = [];
    const prefix = agreementId.toLowerCase() + ":";
    for await (const k of this.agreementLoans.keys({ gte: prefix, lt: prefix + "~" })) out.push(k.slice(prefix.length));
    return out;
  }
}
