import type { Request } from "express";
import {
  accessDigest,
  MAX_SHARE_CHARS,
  MAX_SHARE_SECS,
  parseShare,
  partiesOf,
  recoverAddress,
  sameAddress,
  shareDigest,
  toHex,
  type AgreementVersion,
  type Share,
} from "@repayproof/verifier";
import { ApiError } from "../errors";
import type { TermsSource } from "../ingest/roles";
import type { SignatureChecker } from "./SignatureChecker";

/** Bearer tokens live at most this long (DESIGN.md, "Access"). */
export const MAX_TOKEN_LIFETIME_S = 24 * 3600;
/** Longest Authorization header read: a token or a share with a contract wallet's signature. */
const MAX_HEADER_CHARS = 1200;

const TOKEN = /^(0x[0-9a-fA-F]{40})\.([1-9][0-9]{0,15})\.(0x(?:[0-9a-fA-F]{2}){65,500})$/;

/** What authenticating a reader needs. */
export interface AccessContext {
  domainSeparator: string;
  /** Addresses that may read every agreement (lower case). */
  regulators: readonly string[];
  terms: TermsSource;
  signatures: SignatureChecker;
  /** Whether the share with this EIP-712 digest was revoked by its signer. */
  isRevoked(shareDigest: string): Promise<boolean>;
  /**
   * Tokens whose ECDSA signature was verified (a repeated token costs no signature check, and the rate limit
   * knows its party). Contract-wallet tokens are never cached: the wallet may stop accepting a signature.
   */
  tokens?: TokenCache;
}

const MAX_CACHED_TOKENS = 10_000;

/** Verified bearer tokens → their party, until they expire (bounded: the oldest is forgotten first). */
export class TokenCache {
  private readonly byToken = new Map<string, { party: string; expiresAt: number }>();

  /** The party of `token` if it was verified and has not expired. */
  get(token: string): string | undefined {
    const hit = this.byToken.get(token);
    if (hit === undefined) return undefined;
    if (hit.expiresAt <= nowS()) {
      this.byToken.delete(token);
      return undefined;
    }
    return hit.party;
  }

  set(token: string, party: string, expiresAt: number): void {
    if (this.byToken.size >= MAX_CACHED_TOKENS) this.byToken.delete(this.byToken.keys().next().value as string);
    this.byToken.set(token, { party, expiresAt });
  }
}

/** Who is reading: a party (or regulator) with its token, or the holder of a share grant for one loan. */
export type Caller = { kind: "party"; party: string } | { kind: "share"; share: Share; digest: string };

const unauthenticated = (message: string, reason: string): ApiError =>
  new ApiError("UNAUTHENTICATED", message, { reason });
const nowS = (): number => Math.floor(Date.now() / 1000);

/**
 * The party of `<party>.<expiresAt>.<signature>` (lower case), the signature being EIP-712 `Access(address party,
 * uint64 expiresAt)` in the receipt domain by the party's key or, for a contract wallet, accepted by its
 * ERC-1271 `isValidSignature`. Throws 401 UNAUTHENTICATED: malformed, expired, longer than 24 h, not signed.
 */
export async function authenticateToken(token: string, ctx: AccessContext): Promise<string> {
  const cached = ctx.tokens?.get(token);
  if (cached !== undefined) return cached;
  const { party, expiresAt, signature } = parseToken(token);
  if (!(await ctx.signatures.isSignedBy(party, accessDigest(ctx.domainSeparator, party, expiresAt), signature))) {
    throw unauthenticated("the token is not signed by its party", "signature");
  }
  return party.toLowerCase();
}

/** The fields of a token that is well formed, unexpired and at most 24 h long (401 UNAUTHENTICATED otherwise). */
function parseToken(token: string): { party: string; expiresAt: number; signature: string } {
  const m = TOKEN.exec(token);
  if (!m) throw unauthenticated("malformed bearer token: expected <party>.<expiresAt>.<signature>", "malformed");
  const [, party, exp, signature] = m as unknown as [string, string, string, string];
  const expiresAt = Number(exp);
  if (expiresAt <= nowS()) throw unauthenticated("the token has expired", "expired");
  if (expiresAt > nowS() + MAX_TOKEN_LIFETIME_S) throw unauthenticated("tokens may live at most 24 hours", "lifetime");
  return { party, expiresAt, signature };
}

/**
 * The party of the request's `Bearer` token when it can be verified without the chain — already verified
 * (cached), or an ECDSA signature by the party — else undefined (no token, an invalid one, or a contract
 * wallet's not yet verified by a route). The rate limit keys on it: a token nobody verified is no key.
 */
export function verifiedBearer(req: Request, ctx: AccessContext): string | undefined {
  const header = req.get("authorization");
  if (header === undefined || header.length > MAX_HEADER_CHARS || !header.startsWith("Bearer ")) return undefined;
  const token = header.slice(7).trim();
  const cached = ctx.tokens?.get(token);
  if (cached !== undefined) return cached;
  try {
    const { party, expiresAt, signature } = parseToken(token);
    if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) return undefined;
    const signer = recoverAddress(accessDigest(ctx.domainSeparator, party, expiresAt), signature);
    if (!sameAddress(signer, party)) return undefined;
    ctx.tokens?.set(token, party.toLowerCase(), expiresAt);
    return party.toLowerCase();
  } catch {
    return undefined;
  }
}

function authorization(req: Request): { scheme: string; value: string } | undefined {
  const header = req.get("authorization");
  if (header === undefined) return undefined;
  if (header.length > MAX_HEADER_CHARS) throw unauthenticated("the Authorization header is too long", "malformed");
  const i = header.indexOf(" ");
  return { scheme: header.slice(0, i < 0 ? header.length : i), value: header.slice(i + 1).trim() };
}

function shareText(req: Request): string | undefined {
  const a = authorization(req);
  if (a?.scheme === "Share") return a.value;
  const q = req.query.share;
  if (q === undefined) return undefined;
  if (typeof q !== "string") throw unauthenticated("give ?share= once, as a string", "malformed");
  return q;
}

/**
 * The reader of an agreement-wide route (agreements, alerts, reconciliation, events): a party with its
 * `Bearer` token. A share grant reads one loan and nothing else here: 403 FORBIDDEN.
 */
export async function authenticateParty(req: Request, ctx: AccessContext): Promise<string> {
  const a = authorization(req);
  if (a?.scheme === "Share" || req.query.share !== undefined) {
    throw new ApiError(
      "FORBIDDEN",
      "a share grant reads one loan — its timeline, receipts and proofs — and nothing else",
    );
  }
  if (a === undefined) throw unauthenticated("send Authorization: Bearer <party>.<expiresAt>.<signature>", "missing");
  if (a.scheme !== "Bearer") throw unauthenticated("expected Authorization: Bearer <token>", "malformed");
  return authenticateToken(a.value, ctx);
}

/** When the request's `Bearer` token expires (Unix seconds), for a route that authenticateParty let in. */
export function bearerExpiresAt(req: Request): number | undefined {
  const m = TOKEN.exec(authorization(req)?.value ?? "");
  return m ? Number(m[2]) : undefined;
}

/**
 * The reader of a loan's timeline, receipts and proofs: a party's `Bearer` token, or a share grant
 * (`Authorization: Share …` or `?share=…`) that is well formed (at most 1 KB, checked before any crypto),
 * unexpired and at most 90 days long, signed (ECDSA or ERC-1271) by a party of the agreement — any version —
 * or a regulator, not revoked, and, when it names a grantee, presented with that grantee's own token in
 * `X-RepayProof-Access: Bearer …`. Every refusal is 401 UNAUTHENTICATED with `details.reason`.
 */
export async function authenticateCaller(req: Request, ctx: AccessContext): Promise<Caller> {
  const text = shareText(req);
  if (text === undefined) return { kind: "party", party: await authenticateParty(req, ctx) };
  const { share, digest } = await verifyShare(text, ctx);
  if (await ctx.isRevoked(digest)) throw unauthenticated("the share was revoked by its signer", "revoked");
  if (!/^0x0{40}$/.test(share.grantee)) {
    const access = req.get("x-repayproof-access") ?? "";
    if (!access.startsWith("Bearer ")) {
      throw unauthenticated(
        "this share names its grantee: send X-RepayProof-Access: Bearer <grantee's token>",
        "grantee",
      );
    }
    const grantee = await authenticateToken(access.slice(7).trim(), ctx);
    if (grantee !== share.grantee.toLowerCase())
      throw unauthenticated("the token is not the share's grantee's", "grantee");
  }
  return { kind: "share", share, digest };
}

/**
 * A share string checked in every way that needs no request: at most 1 KB (before anything else), well
 * formed, unexpired, at most 90 days long, signed (ECDSA or ERC-1271) by its signer for this deployment, and
 * its signer a party of the agreement — any version — or a regulator. 401 UNAUTHENTICATED otherwise.
 */
export async function verifyShare(text: string, ctx: AccessContext): Promise<{ share: Share; digest: string }> {
  if (text.length > MAX_SHARE_CHARS)
    throw unauthenticated(`a share is at most ${MAX_SHARE_CHARS} characters`, "malformed");
  let share: Share;
  try {
    share = parseShare(text);
  } catch (e) {
    throw unauthenticated((e as Error).message, "malformed");
  }
  if (share.expiresAt <= nowS()) throw unauthenticated("the share has expired", "expired");
  if (share.expiresAt > nowS() + MAX_SHARE_SECS) throw unauthenticated("a share lives at most 90 days", "lifetime");
  const digest = toHex(shareDigest(ctx.domainSeparator, share));
  if (!(await ctx.signatures.isSignedBy(share.signer, digest, share.signature))) {
    throw unauthenticated("the share is not signed by its signer (or not for this deployment)", "signature");
  }
  const signer = share.signer.toLowerCase();
  const versions = await ctx.terms.get(share.agreementId);
  if (!ctx.regulators.includes(signer) && !versions?.some((v) => partiesOf(v.terms).includes(signer))) {
    throw unauthenticated("the share's signer is neither a party of its agreement nor a regulator", "signer");
  }
  return { share, digest };
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

/** Throws 403 FORBIDDEN unless `caller` may read the loan `loanId` of agreement `agreementId`. */
export async function assertCanReadLoan(
  caller: Caller,
  ctx: AccessContext,
  agreementId: string,
  loanId: string,
): Promise<void> {
  if (caller.kind === "party") return assertCanRead(caller.party, ctx.regulators, await ctx.terms.get(agreementId));
  if (caller.share.agreementId !== agreementId.toLowerCase() || caller.share.loanId !== loanId.toLowerCase()) {
    throw new ApiError("FORBIDDEN", "the share grants another loan");
  }
}
