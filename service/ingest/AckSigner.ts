import { ackBatchDigest, ackDigest, buildTree, fromHex, signDigest, type Ack } from "@repayproof/verifier/core";
import type { AckGroup } from "../store/records";

/** The Acks of one request's accepted receipts, signed. */
export interface SignedAcks {
  /** What every receipt's stored record names (records.ts receiptRecord): no proof, it is rebuilt from the group. */
  readonly shared: { acceptedAt: number; anchorBy: number; signature: string; root?: string };
  /** The batch Ack's record, when there are several receipts. */
  readonly group?: AckGroup;
  /**
   * The Ack of the `i`-th digest, its proof (a batch Ack's) made now: admission asks once the receipt is
   * durable, right before answering, so proofs are not held in memory while the write syncs.
   */
  ack(i: number): Ack;
}

/**
 * Signs the operator's Acks (DESIGN.md, Acknowledgements) with the anchoring key, on the main thread, once
 * admission has decided which receipts of a request it accepts: a single `Ack` for one receipt, else one
 * `AckBatch` over the root of all of them, each receipt getting its proof to that root — one signature per
 * request instead of one per receipt. Never signs over a receipt it did not accept.
 */
export class AckSigner {
  private readonly key: Uint8Array;

  constructor(
    private readonly domainSeparator: string,
    operatorKey: string,
    private readonly maxAnchorDelayS: number,
  ) {
    this.key = fromHex(operatorKey);
  }

  /** The Acks of `digests` (distinct), accepted together at `acceptedAt`, and the batch Ack's record if any. */
  sign(digests: readonly string[], acceptedAt: number): SignedAcks {
    const anchorBy = acceptedAt + this.maxAnchorDelayS;
    if (digests.length === 1) {
      const digest = digests[0] as string;
      const signature = signDigest(this.key, ackDigest(this.domainSeparator, digest, acceptedAt, anchorBy));
      const shared = { acceptedAt, anchorBy, signature };
      return { shared, ack: () => ({ ...shared }) };
    }
    const tree = buildTree(digests);
    const root = tree.root;
    const signature = signDigest(this.key, ackBatchDigest(this.domainSeparator, root, acceptedAt, anchorBy));
    const shared = { acceptedAt, anchorBy, signature, root };
    return {
      shared,
      group: { root, acceptedAt, anchorBy, signature, digests: [...digests] },
      ack: (i) => ({ ...shared, proof: tree.proof(digests[i] as string) }),
    };
  }
}
