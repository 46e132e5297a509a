import { isAuthorizedUnder, versionInForce, type AgreementVersion } from "@repayproof/verifier/core";
import { ApiError, isApiError, type ErrorCode } from "../errors";
import type { ItemError, ItemResult, Prepared } from "./preprocess";
import { isItemError } from "./preprocess";

/** Where admission reads agreement terms (chain/TermsCache in the service). */
export interface TermsSource {
  get(agreementId: string): Promise<AgreementVersion[] | undefined>;
}

export const itemError = (code: ErrorCode, message: string, details?: unknown): ItemError => ({
  error: { code, message, ...(details === undefined ? {} : { details }) },
});

/** The terms of every agreement the items name, read once each; a read failure is kept as its ApiError. */
export async function termsOfItems(
  terms: TermsSource,
  items: readonly ItemResult[],
): Promise<Map<string, AgreementVersion[] | ApiError | undefined>> {
  const ids = new Set<string>();
  for (const it of items) if (!isItemError(it)) ids.add(it.agreementId);
  const out = new Map<string, AgreementVersion[] | ApiError | undefined>();
  await Promise.all(
    [...ids].map(async (id) => {
      try {
        out.set(id, await terms.get(id));
      } catch (e) {
        out.set(id, isApiError(e) ? e : new ApiError("CHAIN_UNAVAILABLE", "the registry cannot be read now"));
      }
    }),
  );
  return out;
}

/**
 * The attester's role under the agreement version in force at `occurredAt` (DESIGN.md kind → signer table,
 * as `AgreementRegistry.isAuthorized` decides it); undefined when it may sign, else the refusal.
 */
export function checkRole(item: Prepared, versions: AgreementVersion[] | ApiError | undefined): ItemError | undefined {
  if (versions instanceof ApiError) return itemError(versions.code, versions.message);
  if (!versions || versions.length === 0) {
    return itemError("UNKNOWN_AGREEMENT", "the registry has no such agreement", { agreementId: item.agreementId });
  }
  const v = versionInForce(versions, item.occurredAt);
  if (!v || !isAuthorizedUnder(v.terms, item.attester, item.kind)) {
    return itemError(
      "NOT_AUTHORIZED_FOR_KIND",
      "the attester may not sign this kind under the agreement version in force",
      {
        version: v?.version,
        kind: item.kind,
      },
    );
  }
  return undefined;
}

/**
 * A receipt dated more than `maxFutureSkewS` after `now` (the request's acceptance time) is refused with
 * INVALID_TIME: a channel post-dating a settlement would make the borrower look late, and once anchored a
 * receipt dated after its anchor fails the verifier's ANCHOR check (DATED_AFTER_ANCHOR).
 */
export function checkTime(item: Prepared, now: number, maxFutureSkewS: number): ItemError | undefined {
  if (item.occurredAt <= now + maxFutureSkewS) return undefined;
  return itemError(
    "INVALID_TIME",
    `occurredAt is ${item.occurredAt - now}s ahead of the service's clock (at most ${maxFutureSkewS}s)`,
    {
      field: "receipt.occurredAt",
      occurredAt: item.occurredAt,
      now,
      maxFutureSkewS,
    },
  );
}
