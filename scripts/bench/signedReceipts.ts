import { randomBytes } from "node:crypto";
import { computeAddress, hexlify } from "ethers";
import {
  type ReceiptBundleJson,
  domainSeparator,
  receiptDomain,
  buildTree,
  receiptDigest,
  receiptToJson,
  type Receipt,
  signDigest,
} from "@repayproof/verifier";

/** A signed receipt with everything a verifier gets: JSON form, digest, signature. */
export interface SignedReceipt {
  readonly receipt: Receipt;
  readonly digest: string;
  readonly signature: string;
}

export const CHAIN_ID = 31337;

/** Random 0x-hex bytes32. */
export function bytes32(): string {
  return hexlify(randomBytes(32));
}

/**
 * `n` SETTLED receipts signed by `keys` in turn (libsecp256k1, before any timing), digests in the domain of
 * `anchor` on `chainId`. `nonceBase` keeps (attester, nonce) unique across calls.
 */
export function signReceipts(
  n: number,
  anchor: string,
  keys: readonly Uint8Array[],
  agreementId = bytes32(),
  nonceBase = 0n,
  occurredAt = 1_764_400_000,
  chainId = CHAIN_ID,
): SignedReceipt[] {
  const separator = domainSeparator(receiptDomain(chainId, anchor));
  const attesters = keys.map((k) => computeAddress(hexlify(k)));
  const out: SignedReceipt[] = [];
  for (let i = 0; i < n; i++) {
    const receipt: Receipt = {
      agreementId,
      loanId: bytes32(),
      installment: 1 + (i % 12),
      kind: 3,
      amount: 125_000n + BigInt(i),
      currency: 156,
      channel: 2,
      externalRef: bytes32(),
      ref: "0x" + "00".repeat(32),
      occurredAt: occurredAt + (i % 60),
      nonce: nonceBase + BigInt(i),
      attester: attesters[i % keys.length] as string,
    };
    const digest = receiptDigest(receipt, separator);
    out.push({
      receipt,
      digest,
      signature: signDigest(keys[i % keys.length] as Uint8Array, Buffer.from(digest.slice(2), "hex")),
    });
  }
  return out;
}

/** Random private keys (valid: below the curve order with overwhelming probability). */
export function randomKeys(n: number): Uint8Array[] {
  return Array.from({ length: n }, () => new Uint8Array(randomBytes(32)));
}

/** Proof bundles of `receipts` as one batch, as the service would serve them (anchoring fields made up). */
export function bundlesOf(receipts: readonly SignedReceipt[], anchor: string, registry: string): ReceiptBundleJson[] {
  const tree = buildTree(receipts.map((r) => r.digest));
  const stream = bytes32();
  return receipts.map((r) => ({
    format: "repayproof/receipt-proof@1",
    chainId: CHAIN_ID,
    contracts: { registry, anchor },
    receipt: receiptToJson(r.receipt),
    signature: r.signature,
    digest: r.digest,
    batch: { stream, seq: 0, root: tree.root, count: tree.count, txHash: bytes32(), blockNumber: 1 },
    proof: tree.proof(r.digest),
  }));
}
