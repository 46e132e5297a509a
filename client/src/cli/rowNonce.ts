import { keccak256 } from "@repayproof/verifier";
import type { ReceiptInput } from "../receipts";

/**
 * A row's nonce, derived from everything else the receipt says (docs/batch-files.md): the first 8 bytes of
 * `keccak256(utf8(JSON.stringify([agreementId, loanId, installment, kind, amount, currency, channel,
 * externalRef, ref, occurredAt, attester])))` (lower-case hex, decimal integers), top bit cleared. The same
 * row signed again is the same receipt and digest, so submitting it twice is idempotent.
 */
export function rowNonce(r: Omit<ReceiptInput, "nonce">, attester: string): bigint {
  const fields = [
    r.agreementId.toLowerCase(),
    r.loanId.toLowerCase(),
    r.installment,
    r.kind,
    String(r.amount),
    r.currency ?? 156,
    r.channel ?? 0,
    (r.externalRef ?? "").toLowerCase(),
    (r.ref ?? "").toLowerCase(),
    r.occurredAt,
    attester.toLowerCase(),
  ];
  const h = keccak256(Buffer.from(JSON.stringify(fields), "utf8"));
  return h.readBigUInt64BE(0) & 0x7fff_ffff_ffff_ffffn;
}
