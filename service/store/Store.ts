import type { AgreementVersion } from "@repayproof/verifier/core";
import type { AckGroup, BatchLeaves, BatchRecord, ChainIdentity, StateNode, StoredReceipt } from "./records";
import type { LoanStats, StageFact, StatsDay } from "./statsRecords";

/**
 * One change of a write: what the service records, in its own terms. A backend maps each to its own keys
 * or rows; the key formats live in the backend and nowhere else.
 */
export type WriteOp =
  | { type: "receipt"; digest: string; record: string }
  | { type: "nonce"; attester: string; nonce: string; digest: string }
  | { type: "loanReceipt"; loanId: string; digest: string }
  | { type: "agreementLoan"; agreementId: string; loanId: string }
  | { type: "ackGroup"; group: AckGroup }
  | { type: "pending"; key: number; entry: string }
  | { type: "pendingDone"; key: number }
  | { type: "batch"; batch: BatchRecord }
  | { type: "leaves"; seq: number; leaves: BatchLeaves }
  | { type: "batchOf"; digest: string; seq: number }
  | { type: "terms"; agreementId: string; versions: AgreementVersion[] }
  | { type: "meta"; name: string; value: unknown }
  | { type: "shareRevoked"; digest: string; at: number }
  | { type: "loanStats"; agreementId: string; loanId: string; stats: LoanStats | null }
  | { type: "statsFact"; agreementId: string; fact: StageFact; remove?: true }
  | { type: "statsDay"; agreementId: string; day: number; rollup: StatsDay | null }
  | { type: "stateNode"; path: string; node: StateNode }
  | { type: "stateUndo"; seq: number; path: string; node: StateNode | null };

/** A position of the loan state tree as it was before batch `seq` overwrote it (LoanStateTree.proofAt). */
export interface StateUndoRef {
  seq: number;
  path: string;
}

/** An (attester, nonce) pair: unique per attester (DESIGN.md, Receipts). */
export interface NonceRef {
  attester: string;
  nonce: string;
}

/** A nonce another instance took between admission's check and the write: ours, and the digest it names now. */
export interface LostNonce extends NonceRef {
  /** The digest our op would have stored. */
  digest: string;
  /** The digest the database holds for it (the winner's; equal to `digest` when both sent the same receipt). */
  owner: string;
}

/**
 * One {@link StoreBatch.add}'s ops again, without the receipts whose nonces were `lost` (all of theirs: receipt,
 * indexes, queue entry, Acks) and with no nonce it did not have before. Called inside the write, once at most.
 */
export type Redo = (lost: readonly LostNonce[]) => WriteOp[];

/**
 * A write being gathered (group commit): each {@link add} hands its ops to the backend at once — encoded
 * where the backend can, so nothing of them waits on the JavaScript heap while the previous write syncs —
 * and {@link write} applies all of them atomically and durably, once.
 */
export interface StoreBatch {
  /**
   * Adds `ops`. Where the database decides nonces between instances (PgStore), a nonce op that finds its pair
   * taken by another instance does not fail the write when `redo` is given: that add's ops are replaced by
   * `redo`'s, and the rest of the write goes on. A store of one instance never calls `redo`.
   */
  add(ops: readonly WriteOp[], redo?: Redo): void;
  /** Applies every op added, atomically, synced before it resolves. Call once. */
  write(): Promise<void>;
}

/**
 * Several instances on one database (PostgreSQL), each with its own stream: where another instance's
 * receipt was sealed, and that stream's records to read its batch from.
 */
export interface SharedStreams {
  /** The stream whose batch holds `digest`, or undefined while it is in no batch. */
  streamOf(digest: string): Promise<string | undefined>;
  /** {@link streamOf} of each of `digests` in one read (a loan's receipts: one query, not one per digest). */
  streamsOf(digests: readonly string[]): Promise<(string | undefined)[]>;
  /** The records of `stream` (read only: nothing is written through it), on this store's connections. */
  view(stream: string): Store;
}

/**
 * The service's storage: typed reads, and atomic durable writes of {@link WriteOp}s. Nothing is held in
 * memory in proportion to what is stored; a missing record is `undefined`.
 */
export interface Store {
  open(): Promise<void>;
  close(): Promise<void>;
  /** Applies `ops` atomically and durably (synced before it resolves). */
  write(ops: readonly WriteOp[]): Promise<void>;
  /** A write to gather ops into before applying them like {@link write}. */
  batch(): StoreBatch;

  getReceipt(digest: string): Promise<StoredReceipt | undefined>;
  getReceipts(digests: readonly string[]): Promise<(StoredReceipt | undefined)[]>;
  /** The digest each (attester, nonce) already names. */
  nonceOwners(refs: readonly NonceRef[]): Promise<(string | undefined)[]>;
  getAckGroup(root: string): Promise<AckGroup | undefined>;

  /** The pending queue (the OPEN batch), oldest entry first; its entries' format is the PendingQueue's. */
  pendingEntries(): AsyncIterable<[key: number, entry: string]>;

  getBatch(seq: number): Promise<BatchRecord | undefined>;
  getLeaves(seq: number): Promise<BatchLeaves | undefined>;
  batchSeqOf(digest: string): Promise<number | undefined>;
  batchSeqsOf(digests: readonly string[]): Promise<(number | undefined)[]>;
  /** The highest batch record, or undefined before the first seal. */
  lastBatch(): Promise<BatchRecord | undefined>;
  /** Batches not yet FINAL, oldest first (a bounded tail: batches finalise in order). */
  unfinishedBatches(): Promise<BatchRecord[]>;
  /** Block time of the latest anchored batch (the timeline's `now`), or undefined before the first anchor. */
  latestAnchoredAt(): Promise<number | undefined>;

  /** Digests of a loan's receipts, in key order. */
  digestsOfLoan(loanId: string): Promise<string[]>;
  /** Loan ids seen under an agreement. */
  loansOfAgreement(agreementId: string): Promise<string[]>;

  getTerms(agreementId: string): Promise<AgreementVersion[] | undefined>;
  /** Every agreement whose terms are held here (one record per agreement). */
  termsEntries(): AsyncIterable<[agreementId: string, versions: AgreementVersion[]]>;

  /** When the share with this EIP-712 digest was revoked (unix seconds), or undefined. */
  shareRevokedAt(digest: string): Promise<number | undefined>;

  /** The stats index (service/stats/): what each loan contributes under its agreement, read at once. */
  getLoanStats(loans: readonly { agreementId: string; loanId: string }[]): Promise<(LoanStats | undefined)[]>;
  /** An agreement's day totals for the UTC days `fromDay`…`toDay` (inclusive), in day order. */
  statsDays(agreementId: string, fromDay: number, toDay: number): AsyncIterable<[day: number, rollup: StatsDay]>;
  /**
   * An agreement's stage facts with `at` in `from`…`to` (inclusive), in (at, loan, installment, stage) order,
   * each with its cursor (opaque): pass it as `after` to continue behind it.
   */
  statsFacts(
    agreementId: string,
    from: number,
    to: number,
    after?: string,
  ): AsyncIterable<[cursor: string, fact: StageFact]>;
  /** Forgets the whole stats index (before a rebuild). */
  clearStats(): Promise<void>;

  /**
   * Nodes of the loan state tree at `paths` (opaque ASCII strings of at most 67 characters, made by
   * batches/LoanStateTree.ts); undefined where the tree has none. Nodes are only ever overwritten, never
   * deleted: a path once a leaf becomes an inner node when a second key arrives below it.
   */
  stateNodes(paths: readonly string[]): Promise<(StateNode | undefined)[]>;
  /**
   * What batch `seq` found at each position before it overwrote it (null: nothing), or undefined where it
   * wrote nothing: so a proof can be given for an earlier batch than the last sealed (one the chain shows).
   */
  stateUndo(refs: readonly StateUndoRef[]): Promise<(StateNode | null | undefined)[]>;
  /** Forgets what batches up to `throughSeq` overwrote: no proof is asked for before a FINAL batch. */
  dropStateUndo(throughSeq: number): Promise<void>;

  /** Set where other instances' streams share this database (PgStore); undefined for a store of one stream. */
  readonly shared?: SharedStreams;

  getMeta<T>(name: string): Promise<T | undefined>;
  getIdentity(): Promise<ChainIdentity | undefined>;
}
