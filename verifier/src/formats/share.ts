import { keccak256 } from "../crypto/keccak";
import { InvalidArgumentError } from "../errors";
import { SHARE_TYPES, typeHash } from "./eip712";
import { checksumAddress, fromHex } from "./hex";
import { typedDataDigest } from "./receipt";

/**
 * A share grant (DESIGN.md, Access → Share grants): a party of an agreement, or a regulator, lets one
 * reader — `grantee`, or whoever holds the link when it is the zero address — read one loan of one
 * agreement until `expiresAt`, by signing EIP-712 `Share(agreementId, loanId, grantee, expiresAt)` in the
 * receipt domain. Written `<agreementId>.<loanId>.<grantee>.<expiresAt>.<signer>.<signature>`, so it fits
 * in a link (`?share=`) or a header (`Authorization: Share …`).
 */
export interface Share {
  agreementId: string;
  loanId: string;
  /** Checksummed; the zero address for a bearer link. */
  grantee: string;
  expiresAt: number;
  /** Checksummed: who signed (an EOA, or an ERC-1271 wallet). */
  signer: string;
  signature: string;
}

/** Longest share string read: refused before any parsing or crypto beyond this. */
export const MAX_SHARE_CHARS = 1024;
/** A share lives at most this long. */
export const MAX_SHARE_SECS = 90 * 86_400;

const SHARE_TYPEHASH = typeHash(SHARE_TYPES, "Share");
const SHARE =
  /^(0x[0-9a-f]{64})\.(0x[0-9a-f]{64})\.(0x[0-9a-fA-F]{40})\.([1-9][0-9]{0,15})\.(0x[0-9a-fA-F]{40})\.(0x(?:[0-9a-fA-F]{2}){65,480})$/;

/** EIP-712 digest of `Share(bytes32 agreementId,bytes32 loanId,address grantee,uint64 expiresAt)` in the receipt domain. */
export function shareDigest(domainSeparator: string, s: Omit<Share, "signer" | "signature">): Buffer {
  const struct = Buffer.concat([
    SHARE_TYPEHASH,
    fromHex(s.agreementId),
    fromHex(s.loanId),
    Buffer.from(s.grantee.slice(2).toLowerCase().padStart(64, "0") + s.expiresAt.toString(16).padStart(64, "0"), "hex"),
  ]);
  return typedDataDigest(domainSeparator, keccak256(struct));
}

/** The share's string form. */
export function formatShare(s: Share): string {
  return [s.agreementId, s.loanId, s.grantee, String(s.expiresAt), s.signer, s.signature.toLowerCase()].join(".");
}

/**
 * Parses a share string (untrusted): its length is checked before anything else, then its shape. Does not
 * check the signature, the expiry or the signer's role: that needs the domain, the clock and the registry.
 * Throws InvalidArgumentError (`INVALID_FIELD`, field `share`) when it is not one.
 */
export function parseShare(text: unknown): Share {
  if (typeof text !== "string" || text.length > MAX_SHARE_CHARS) {
    throw new InvalidArgumentError(
      "INVALID_FIELD",
      `share: expected a string of at most ${MAX_SHARE_CHARS} characters`,
      "share",
    );
  }
  const m = SHARE.exec(text);
  if (!m) {
    throw new InvalidArgumentError(
      "INVALID_FIELD",
      "share: expected <agreementId>.<loanId>.<grantee>.<expiresAt>.<signer>.<signature> (lower-case ids)",
      "share",
    );
  }
  const [, agreementId, loanId, grantee, expiresAt, signer, signature] = m as unknown as string[];
  return {
    agreementId: agreementId as string,
    loanId: loanId as string,
    grantee: checksumAddress(grantee as string),
    expiresAt: Number(expiresAt),
    signer: checksumAddress(signer as string),
    signature: (signature as string).toLowerCase(),
  };
}

/** The disclosure hash of a disclosure document: keccak-256 of its exact bytes (docs/formats.md). */
export function disclosureHash(document: Uint8Array): string {
  return "0x" + keccak256(document).toString("hex");
}
