import { ackBatchDigest, ackDigest, buildTree, fromHex, signDigest, type Ack } from "@repayproof/verifier/core";
import type { AckGroup } from "../store/records";

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
  sign(digests: readonly string[], acceptedAt: number): { acks: Ack[]; group?: AckGroup } {
    const anchorBy = acceptedAt + this.maxAnchorDelayS;
    if (digests.length === 1) {
      const digest = digests[0] as string;
      const signature = signDigest(this.key, ackDigest(this.domainSeparator, digest, acceptedAt, anchorBy));
      return { acks: [{ acceptedAt, anchorBy, signature }] };
    }
    const tree = buildTree(digests);
    const signature = signDigest(this.key, ackBatchDigest(this.domainSeparator, tree.root, acceptedAt, anchorBy));
    const acks = digests.map((d): Ack => ({ acceptedAt, anchorBy, signature, root: tree.root, proof: tree.proof(d) }));
    return { acks, group: { root: tree.root, acceptedAt, anchorBy, signature, digests: [...digests] } };
  }
}
