import { TypedDataEncoder, type TypedDataDomain, type TypedDataField } from "ethers";

/**
 * The EIP-712 domains and types of RepayProof (DESIGN.md, "Fixed external formats"). These are pinned
 * here and nowhere else: the service imports them, and the verifier never takes types from a bundle.
 */

export const RECEIPT_DOMAIN_NAME = "RepayProofAnchor";
export const REGISTRY_DOMAIN_NAME = "RepayProofRegistry";
export const DOMAIN_VERSION = "1";

export const RECEIPT_TYPES: Record<string, TypedDataField[]> = {
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

export const ACK_TYPES: Record<string, TypedDataField[]> = {
  Ack: [
    { name: "digest", type: "bytes32" },
    { name: "acceptedAt", type: "uint64" },
    { name: "anchorBy", type: "uint64" },
  ],
};

export const ACCESS_TYPES: Record<string, TypedDataField[]> = {
  Access: [
    { name: "party", type: "address" },
    { name: "expiresAt", type: "uint64" },
  ],
};

export const AGREEMENT_TYPES: Record<string, TypedDataField[]> = {
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

/** Domain of receipts, acks and access tokens: bound to the chain and the ReceiptAnchor contract. */
export function receiptDomain(chainId: number | bigint, anchor: string): TypedDataDomain {
  return { name: RECEIPT_DOMAIN_NAME, version: DOMAIN_VERSION, chainId, verifyingContract: anchor };
}

/** Domain of agreement signatures: bound to the chain and the AgreementRegistry contract. */
export function registryDomain(chainId: number | bigint, registry: string): TypedDataDomain {
  return { name: REGISTRY_DOMAIN_NAME, version: DOMAIN_VERSION, chainId, verifyingContract: registry };
}

/** The EIP-712 domain separator (0x-hex) of `domain`. */
export function domainSeparator(domain: TypedDataDomain): string {
  return TypedDataEncoder.hashDomain(domain);
}

/** The canonical type string of `Receipt`, whose keccak is the on-chain `_RECEIPT_TYPEHASH`. */
export const RECEIPT_TYPE_STRING = TypedDataEncoder.from(RECEIPT_TYPES).encodeType("Receipt");
