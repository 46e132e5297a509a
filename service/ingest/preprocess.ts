// The verifier's core entry (no ethers, no chain reader): this module runs in worker threads, which should
// load only what parsing, hashing and recovery need.
import {
  fromHex,
  isInvalidArgument,
  MAX_SIGNATURE_BYTES,
  parseReceipt,
  receiptDigestBytes,
  receiptToJson,
  signedBy,
  toHex,
} from "@repayproof/verifier/core";
import type { ErrorCode } from "../errors";
import { plainReceiptRecordHead } from "../store/records";

/** Most items one `POST /v1/receipts` may carry (DESIGN.md). */
export const MAX_ITEMS = 1000;

export interface ItemError {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** A receipt that passed every check that needs no state: shape, digest, signature (ECDSA, or one for a wallet). */
export interface Prepared {
  digest: string;
  attester: string;
  nonce: string;
  agreementId: string;
  loanId: string;
  kind: number;
  occurredAt: number;
  ref: string;
  /** The stored record's head (receipt and signature), serialised once here, off the main thread. */
  head: string;
  /**
   * Set (to the signature, lower case) when it is not an ECDSA signature by `attester`'s key: admission then
   * asks the attester's contract wallet, if it is one (ERC-1271), before accepting the receipt.
   */
  walletSignature?: string;
}

export type ItemResult = Prepared | ItemError;

export type PreprocessResult = ItemError | { single: boolean; items: ItemResult[] };

/** What preprocessing needs: the receipt domain's separator. (Acks are signed by admission, not here.) */
export interface PreprocessContext {
  domainSeparator: string;
}

export function isItemError(r: unknown): r is ItemError {
  return typeof r === "object" && r !== null && "error" in r;
}

const HEX_BYTES = /^0x(?:[0-9a-fA-F]{2})+$/;

const invalid = (message: string, details?: unknown): ItemError => ({
  error: { code: "INVALID_BODY", message, ...(details === undefined ? {} : { details }) },
});

/**
 * Parses a `POST /v1/receipts` body (raw bytes) and prepares each item: strict receipt parsing, the
 * EIP-712 digest, and signature recovery (the fastest secp256k1 backend the verifier has) compared with
 * `attester` — a signature that is not the attester's by ECDSA is marked for admission's ERC-1271 check
 * (`walletSignature`), since the attester may be a contract wallet. Pure and stateless so it
 * runs in worker threads; admission (terms, nonces, the Ack) happens on the main thread. Only a malformed
 * envelope fails the whole request; items are judged one by one.
 */
export function preprocess(body: Uint8Array | string, ctx: PreprocessContext): PreprocessResult {
  let json: unknown;
  try {
    json = JSON.parse(
      typeof body === "string" ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"),
    );
  } catch {
    return invalid("the body is not valid JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return invalid("expected a JSON object");
  const o = json as Record<string, unknown>;
  if ("items" in o) {
    if (Object.keys(o).length !== 1) return invalid("a batch body has only `items`");
    const items = o.items;
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ITEMS) {
      return invalid(`items: expected an array of 1 to ${MAX_ITEMS} { receipt, signature }`);
    }
    return { single: false, items: items.map((it) => prepareItem(it, ctx)) };
  }
  return { single: true, items: [prepareItem(o, ctx)] };
}

function prepareItem(item: unknown, ctx: PreprocessContext): ItemResult {
  if (typeof item !== "object" || item === null || Array.isArray(item))
    return invalid("expected { receipt, signature }");
  const o = item as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== "receipt" && k !== "signature") return invalid(`unknown field \`${k}\``, { field: k });
  }
  let receipt;
  try {
    receipt = parseReceipt(o.receipt);
  } catch (e) {
    if (isInvalidArgument(e)) return invalid(e.message, { field: e.field });
    throw e;
  }
  const signature = o.signature;
  if (typeof signature !== "string") return invalid("signature: expected 0x-hex", { field: "signature" });
  const digestBytes = receiptDigestBytes(receipt, ctx.domainSeparator);
  const digest = toHex(digestBytes);
  let signed: boolean;
  try {
    // recoverAddress(digest, signature) === attester, compared on bytes (verifier crypto/signedBy).
    signed = signedBy(digestBytes, signature, fromHex(receipt.attester));
  } catch (e) {
    if (!isInvalidArgument(e)) throw e;
    // Not a 65-byte low-s ECDSA signature: a contract wallet's may still be (ERC-1271, judged by admission),
    // if it is hex bytes at all — length first, so a huge string is refused before the regular expression.
    if (signature.length < 4 || signature.length > 2 + 2 * MAX_SIGNATURE_BYTES || !HEX_BYTES.test(signature)) {
      return {
        error: { code: "BAD_SIGNATURE", message: `signature: expected 0x-hex, 1 to ${MAX_SIGNATURE_BYTES} bytes` },
      };
    }
    signed = false;
  }
  const json = receiptToJson(receipt);
  return {
    digest,
    attester: receipt.attester,
    nonce: json.nonce,
    agreementId: receipt.agreementId,
    loanId: receipt.loanId,
    kind: receipt.kind,
    occurredAt: receipt.occurredAt,
    ref: receipt.ref,
    head: plainReceiptRecordHead(json, signature.toLowerCase()),
    ...(signed ? {} : { walletSignature: signature.toLowerCase() }),
  };
}
