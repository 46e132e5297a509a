import type { ReceiptJson } from "@repayproof/verifier/core";

/**
 * The records the service keeps, and the one codec of the receipt record (split between the ingest
 * worker, which serialises the receipt once, and admission, which adds the Ack once it is decided).
 */

/** A stored receipt: the canonical receipt, its signature, and the Ack we sent for it. */
export interface StoredReceipt {
  receipt: ReceiptJson;
  signature: string;
  acceptedAt: number;
  anchorBy: number;
  /** A single Ack's signature (`Ack(digest, acceptedAt, anchorBy)`). */
  ackSignature?: string;
  /** Or the root of the batch Ack this receipt shares (its record is in the store's ack groups). */
  ackRoot?: string;
}

/** One batch Ack: the receipts accepted together in one request, signed once (DESIGN.md, Acknowledgements). */
export interface AckGroup {
  root: string;
  acceptedAt: number;
  anchorBy: number;
  signature: string;
  /** The digests under `root`, so each one's proof can be rebuilt. */
  digests: string[];
}

/** `{"receipt":…,"signature":…` without its closing brace: what the worker serialises, off the main thread. */
export function receiptRecordHead(receipt: ReceiptJson, signature: string): string {
  const json = JSON.stringify({ receipt, signature });
  return json.slice(0, -1);
}

// What a field of a parsed receipt or a checked signature is made of: nothing JSON would escape.
const PLAIN = /^[0-9A-Za-z]*$/;

/**
 * {@link receiptRecordHead} written out field by field, for the worker's hot loop (~5% of its time went to
 * JSON.stringify): the same string whenever every string field is plain hex or decimal, which a receipt
 * from parseReceipt and a signature that passed recovery always are; anything else goes through
 * JSON.stringify (test/service/ingest property test).
 */
export function plainReceiptRecordHead(r: ReceiptJson, signature: string): string {
  const strings = [r.agreementId, r.loanId, r.amount, r.externalRef, r.ref, r.nonce, r.attester, signature];
  const numbers = [r.installment, r.kind, r.currency, r.channel, r.occurredAt];
  if (!strings.every((x) => typeof x === "string" && PLAIN.test(x)) || !numbers.every(Number.isSafeInteger)) {
    return receiptRecordHead(r, signature);
  }
  return (
    `{"receipt":{"agreementId":"${r.agreementId}","loanId":"${r.loanId}","installment":${r.installment},` +
    `"kind":${r.kind},"amount":"${r.amount}","currency":${r.currency},"channel":${r.channel},` +
    `"externalRef":"${r.externalRef}","ref":"${r.ref}","occurredAt":${r.occurredAt},"nonce":"${r.nonce}",` +
    `"attester":"${r.attester}"},"signature":"${signature}"`
  );
}

/** The stored receipt's JSON: the worker's head plus the Ack decided by admission. */
export function receiptRecord(
  head: string,
  ack: { acceptedAt: number; anchorBy: number; signature: string; root?: string },
): string {
  // A batch Ack's signature and digests are kept once, in its group record: a receipt names its root.
  const tail = ack.root === undefined ? `"ackSignature":"${ack.signature}"` : `"ackRoot":"${ack.root}"`;
  return `${head},"acceptedAt":${ack.acceptedAt},"anchorBy":${ack.anchorBy},${tail}}`;
}

/** Batch states on disk (OPEN is the pending queue itself); batches/batchState.ts says which moves are allowed. */
export type BatchState = "SEALED" | "SUBMITTED" | "ANCHORED" | "FINAL";

/** One anchoring transaction we signed for a batch (replacements share the nonce). */
export interface SentTx {
  hash: string;
  nonce: number;
  raw: string;
  sentAt: number;
  maxFeePerGas?: string;
  maxPriorityFeePerGas?: string;
  gasPrice?: string;
}

export interface BatchRecord {
  seq: number;
  root: string;
  count: number;
  state: BatchState;
  sealedAt: number;
  /**
   * The loan state root after this batch (docs/formats.md, "Loan state tree"), sealed with it and anchored
   * with it. Absent only in records sealed before v0.2.
   */
  stateRoot?: string;
  /** Every transaction signed for this batch, the latest last. */
  txs: SentTx[];
  /** The transaction that anchored the root, once known. */
  txHash?: string;
  blockNumber?: number;
  /** Block time of the anchor (seconds). */
  anchoredAt?: number;
}

/** The leaves of a sealed batch in arrival order, with each receipt's acceptance time (ms). */
export interface BatchLeaves {
  digests: string[];
  acceptedAtMs: number[];
}

/** What DATA_DIR belongs to: never mix data of two chains. */
export interface ChainIdentity {
  chainId: number;
  anchor: string;
  registry: string;
  /** Hash of the deployment block (or block 0 when the deployment block is unknown). */
  identityBlock: number;
  identityHash: string;
}

/**
 * A node of the loan state tree (batches/LoanStateTree.ts; docs/formats.md, "Loan state tree"), at its path:
 * an inner node keeps its children's hashes (zero for an empty child), a leaf its key and value. 0x-hex.
 */
export type StateNode = { left: string; right: string } | { key: string; count: number; head: string };
