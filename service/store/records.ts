import type { ReceiptJson } from "@repayproof/verifier";

/** A stored receipt: the canonical receipt, its signature, and the Ack we sent for it. */
export interface StoredReceipt {
  receipt: ReceiptJson;
  signature: string;
  acceptedAt: number;
  anchorBy: number;
  ackSignature: string;
}

/** Batch states on disk (OPEN is the pending queue itself). */
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
