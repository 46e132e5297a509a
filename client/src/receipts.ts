import {
  fromHex,
  KIND,
  parseReceipt,
  RECEIPT_TYPES,
  receiptDigest,
  receiptToJson,
  signDigest,
  type Eip712Domain,
  type KindName,
  type Receipt,
  type ReceiptJson,
} from "@repayproof/verifier";
import { RepayProofError } from "./errors";
import type { TypedSigner } from "./typedSigner";

const ZERO32 = "0x" + "00".repeat(32);

/**
 * A receipt as an application writes it (DESIGN.md, Receipts): `kind` by number or name, integers as
 * numbers, strings or bigints, `amount` in minor units (fen). Left out: `currency` 156 (CNY), `channel` 0,
 * `externalRef` and `ref` zero, `attester` the client's signer.
 */
export interface ReceiptInput {
  agreementId: string;
  loanId: string;
  installment: number;
  kind: number | KindName;
  amount: bigint | string | number;
  currency?: number;
  channel?: number;
  externalRef?: string;
  ref?: string;
  occurredAt: number;
  nonce: bigint | string | number;
  attester?: string;
}

/** What `POST /v1/receipts` carries per item, with the digest the client computed itself. */
export interface SignedItem {
  receipt: ReceiptJson;
  signature: string;
  digest: string;
}

/** The strict receipt (the verifier's parser: types, ranges) of `r`, or INVALID_RECEIPT saying which field. */
export function normalize(r: ReceiptInput, attester: string): Receipt {
  const kind = typeof r.kind === "string" ? KIND[r.kind] : r.kind;
  const json = {
    agreementId: r.agreementId,
    loanId: r.loanId,
    installment: r.installment,
    kind,
    amount: String(r.amount),
    currency: r.currency ?? 156,
    channel: r.channel ?? 0,
    externalRef: r.externalRef ?? ZERO32,
    ref: r.ref ?? ZERO32,
    occurredAt: r.occurredAt,
    nonce: String(r.nonce),
    attester: r.attester ?? attester,
  };
  try {
    return parseReceipt(json);
  } catch (e) {
    throw new RepayProofError("INVALID_RECEIPT", e instanceof Error ? e.message : String(e), 0, { receipt: r });
  }
}

/**
 * Signs receipts as the service expects: EIP-712 `Receipt` in the receipt domain. An ethers `Wallet` signs
 * through the verifier's digest and secp256k1 backend (libsecp256k1 when installed: the same deterministic
 * RFC 6979 signature ethers would make, many times faster); any other `Signer` or a viem account (a hardware
 * wallet, a remote signer, a contract wallet's owner) through its own `signTypedData`.
 */
export class ReceiptSigner {
  constructor(
    private readonly signer: TypedSigner,
    private readonly domain: Eip712Domain,
    private readonly separator: string,
  ) {}

  async sign(r: Receipt): Promise<SignedItem> {
    const digest = receiptDigest(r, this.separator);
    const receipt = receiptToJson(r);
    const key = this.signer.privateKey;
    const signature = key
      ? signDigest(key, fromHex(digest))
      : await this.signer.sign(this.domain, RECEIPT_TYPES, "Receipt", { ...r });
    return { receipt, signature, digest };
  }
}
