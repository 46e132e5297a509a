import type { Request } from "express";
import {
  accessDigest,
  isAddress,
  partiesOf,
  recoverAddress,
  sameAddress,
  type AgreementVersion,
} from "@repayproof/verifier";
import { ApiError } from "../errors";

/** Bearer tokens live at most this long (DESIGN.md, "Access"). */
export const MAX_TOKEN_LIFETIME_S = 24 * 3600;

const TOKEN = /^Bearer (0x[0-9a-fA-F]{40})\.([0-9]{1,16})\.(0x[0-9a-fA-F]{130})$/;

/**
 * Authenticates `Authorization: Bearer <party>.<expiresAt>.<signature>`, the signature being EIP-712
 * `Access(address party,uint64 expiresAt)` in the receipt domain. Returns the party (lower-case) or throws
 * 401 UNAUTHENTICATED: missing, malformed, expired, longer than 24 h, or not signed by the party.
 */
export function authenticate(req: Request, domainSeparator: string, nowS = Math.floor(Date.now() / 1000)): string {
  const header = req.get("authorization");
  if (!header) throw new ApiError("UNAUTHENTICATED", "send Authorization: Bearer <party>.<expiresAt>.<signature>");
  const m = TOKEN.exec(header.trim());
  if (!m) throw new ApiError("UNAUTHENTICATED", "malformed bearer token: expected <party>.<expiresAt>.<signature>");
  const [, party, exp, signature] = m as unknown as [string, string, string, string];
  const expiresAt = Number(exp);
  if (expiresAt <= nowS) throw new ApiError("UNAUTHENTICATED", "the token has expired");
  if (expiresAt > nowS + MAX_TOKEN_LIFETIME_S)
    throw new ApiError("UNAUTHENTICATED", "tokens may live at most 24 hours");
  let signer: string;
  try {
    signer = recoverAddress(accessDigest(domainSeparator, party, expiresAt), signature);
  } catch {
    throw new ApiError("UNAUTHENTICATED", "the token's signature is malformed");
  }
  if (!isAddress(party) || !sameAddress(signer, party))
    throw new ApiError("UNAUTHENTICATED", "the token is not signed by its party");
  return party.toLowerCase();
}

/** Throws 403 FORBIDDEN unless `party` is a regulator or a party of some version of the agreement. */
export function assertCanRead(
  party: string,
  regulators: readonly string[],
  versions: readonly AgreementVersion[] | undefined,
): void {
  if (regulators.includes(party)) return;
  if (versions && versions.some((v) => partiesOf(v.terms).includes(party))) return;
  throw new ApiError("FORBIDDEN", "this party does not belong to the agreement");
}
