import { keccak256 } from "../crypto/keccak";
import { toHex } from "./hex";

/**
 * The EIP-712 domains and types of RepayProof (DESIGN.md, "Fixed external formats"). These are pinned
 * here and nowhere else: the service imports them, and the verifier never takes types from a bundle.
 * Type strings and domain separators are encoded here by the EIP-712 rules (no ethers needed to load this
 * module, so worker threads and browsers stay light); tests hold them equal to ethers' TypedDataEncoder.
 */

/** One member of an EIP-712 struct type (the shape ethers' `TypedDataField` has too). */
export interface TypedField {
  name: string;
  type: string;
}
export type TypedTypes = Record<string, TypedField[]>;

/** An EIP-712 domain as RepayProof uses it: always all four fields. */
export interface Eip712Domain {
  name: string;
  version: string;
  chainId: number | bigint;
  verifyingContract: string;
}

export const RECEIPT_DOMAIN_NAME = "RepayProofAnchor";
export const REGISTRY_DOMAIN_NAME = "RepayProofRegistry";
export const DOMAIN_VERSION = "1";

export const RECEIPT_TYPES: TypedTypes = {
  Receipt: [
    { name: "agreementId", type: "bytes32" },
    { name: "loanId", type: "bytes32" },
    { name: "installment", type: "uint32" },
    { name: "kind", type: "uint8" },
    { name: "amount", type: "uint256" },
    { name: "currency", type: "uint16" },
    { name: "channel", type: "uint8" },
    { name: "externalRef", type: "bytes32" },
    { name: "ref", type: "bytes32" },
    { name: "occurredAt", type: "uint64" },
    { name: "nonce", type: "uint64" },
    { name: "attester", type: "address" },
  ],
};

export const ACK_TYPES: TypedTypes = {
  Ack: [
    { name: "digest", type: "bytes32" },
    { name: "acceptedAt", type: "uint64" },
    { name: "anchorBy", type: "uint64" },
  ],
};

/** v0.2: one Ack signature for every receipt accepted in one request (`root` of their digests' tree). */
export const ACK_BATCH_TYPES: TypedTypes = {
  AckBatch: [
    { name: "root", type: "bytes32" },
    { name: "acceptedAt", type: "uint64" },
    { name: "anchorBy", type: "uint64" },
  ],
};

export const ACCESS_TYPES: TypedTypes = {
  Access: [
    { name: "party", type: "address" },
    { name: "expiresAt", type: "uint64" },
  ],
};

/** v0.2: a party of an agreement (or a regulator) lets `grantee` (zero: whoever holds it) read one loan. */
export const SHARE_TYPES: TypedTypes = {
  Share: [
    { name: "agreementId", type: "bytes32" },
    { name: "loanId", type: "bytes32" },
    { name: "grantee", type: "address" },
    { name: "expiresAt", type: "uint64" },
  ],
};

export const AGREEMENT_TYPES: TypedTypes = {
  Agreement: [
    { name: "agreementId", type: "bytes32" },
    { name: "version", type: "uint32" },
    { name: "terms", type: "Terms" },
  ],
  Terms: [
    { name: "platform", type: "address" },
    { name: "funder", type: "address" },
    { name: "collector", type: "address" },
    { name: "guarantor", type: "address" },
    { name: "channels", type: "address[]" },
    { name: "graceSecs", type: "uint32" },
    { name: "settleSecs", type: "uint32" },
    { name: "forwardSecs", type: "uint32" },
    { name: "confirmSecs", type: "uint32" },
    { name: "reportSecs", type: "uint32" },
    { name: "disclosureHash", type: "bytes32" },
  ],
};

/**
 * EIP-712 `encodeType(primary)`: `Name(type name,…)` followed by every struct it references (directly or
 * not), sorted by name.
 */
export function encodeType(types: TypedTypes, primary: string): string {
  const deps = new Set<string>();
  const visit = (name: string): void => {
    for (const f of types[name] ?? []) {
      const base = f.type.replace(/\[[0-9]*\]$/, "");
      if (types[base] !== undefined && base !== primary && !deps.has(base)) {
        deps.add(base);
        visit(base);
      }
    }
  };
  if (types[primary] === undefined) throw new Error(`unknown EIP-712 type ${primary}`);
  visit(primary);
  const one = (name: string): string =>
    `${name}(${(types[name] as TypedField[]).map((f) => `${f.type} ${f.name}`).join(",")})`;
  return [primary, ...[...deps].sort()].map(one).join("");
}

/** keccak-256 of `encodeType(primary)`: the struct's type hash. */
export function typeHash(types: TypedTypes, primary: string): Buffer {
  return keccak256(Buffer.from(encodeType(types, primary), "utf8"));
}

/** Domain of receipts, acks and access tokens: bound to the chain and the ReceiptAnchor contract. */
export function receiptDomain(chainId: number | bigint, anchor: string): Eip712Domain {
  return { name: RECEIPT_DOMAIN_NAME, version: DOMAIN_VERSION, chainId, verifyingContract: anchor };
}

/** Domain of agreement signatures: bound to the chain and the AgreementRegistry contract. */
export function registryDomain(chainId: number | bigint, registry: string): Eip712Domain {
  return { name: REGISTRY_DOMAIN_NAME, version: DOMAIN_VERSION, chainId, verifyingContract: registry };
}

const DOMAIN_TYPEHASH = keccak256(
  Buffer.from("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)", "utf8"),
);

/** The EIP-712 domain separator (0x-hex) of `domain`. */
export function domainSeparator(domain: Eip712Domain): string {
  const chainId = BigInt(domain.chainId);
  if (chainId < 0n || chainId >= 1n << 256n) throw new RangeError("chainId out of range");
  if (!/^0x[0-9a-fA-F]{40}$/.test(domain.verifyingContract)) throw new TypeError("verifyingContract: not an address");
  const buf = Buffer.alloc(5 * 32);
  DOMAIN_TYPEHASH.copy(buf, 0);
  keccak256(Buffer.from(domain.name, "utf8")).copy(buf, 32);
  keccak256(Buffer.from(domain.version, "utf8")).copy(buf, 64);
  buf.write(chainId.toString(16).padStart(64, "0"), 96, "hex");
  buf.write(domain.verifyingContract.slice(2).padStart(64, "0"), 128, "hex");
  return toHex(keccak256(buf));
}

/** The canonical type string of `Receipt`, whose keccak is the on-chain `_RECEIPT_TYPEHASH`. */
export const RECEIPT_TYPE_STRING = encodeType(RECEIPT_TYPES, "Receipt");
