import { isBytes32, partiesOf, type AgreementVersion } from "@repayproof/verifier";
import { assertCanRead } from "./auth";
import type { AppDeps } from "./deps";
import { ApiError } from "./errors";
import { AnchorTimes, loadLoanReceipts, type LoanReceipt } from "./loanEvents";

/** Refuses query parameters outside `allowed` and non-string values (400 INVALID_BODY, details.field). */
export function checkQuery(query: Record<string, unknown>, allowed: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) {
    if (!allowed.includes(k)) throw new ApiError("INVALID_BODY", `unknown query parameter \`${k}\``, { field: k });
    if (typeof v !== "string") throw new ApiError("INVALID_BODY", `${k}: give it once, as a string`, { field: k });
    out[k] = v;
  }
  return out;
}

/** The agreement named by a query parameter, checked readable by `party` (404 NOT_FOUND, 403 FORBIDDEN). */
export async function readableAgreement(
  deps: AppDeps,
  party: string,
  raw: string | undefined,
  field = "agreementId",
): Promise<{ agreementId: string; versions: AgreementVersion[] }> {
  if (raw === undefined) throw new ApiError("INVALID_BODY", `${field} is required`, { field });
  if (!isBytes32(raw)) throw new ApiError("INVALID_BODY", `${field}: expected 0x followed by 64 hex digits`, { field });
  const agreementId = raw.toLowerCase();
  const versions = await deps.terms.get(agreementId);
  if (!versions || versions.length === 0) throw new ApiError("NOT_FOUND", "the registry has no such agreement");
  assertCanRead(party, deps.config.regulators, versions);
  return { agreementId, versions };
}

/**
 * The agreements `party` may read among those this service holds terms for (every agreement it relayed or
 * admitted receipts of): all for a regulator. Scans the stored terms (one record per agreement).
 */
export async function readableAgreements(
  deps: AppDeps,
  party: string,
): Promise<{ agreementId: string; versions: AgreementVersion[] }[]> {
  const all = deps.config.regulators.includes(party);
  const out: { agreementId: string; versions: AgreementVersion[] }[] = [];
  for await (const [id, v] of deps.store.terms.iterator()) {
    const versions = JSON.parse(v) as AgreementVersion[];
    if (all || versions.some((x) => partiesOf(x.terms).includes(party))) out.push({ agreementId: id, versions });
  }
  return out;
}

/** Every receipt of every loan of `agreementId` (a per-agreement scan of the loan index), with anchor times. */
export async function agreementReceipts(
  deps: AppDeps,
  agreementId: string,
  times = new AnchorTimes(deps.store),
): Promise<Map<string, LoanReceipt[]>> {
  const out = new Map<string, LoanReceipt[]>();
  for (const loanId of await deps.store.loansOfAgreement(agreementId)) {
    out.set(loanId, await loadLoanReceipts(deps.store, loanId, times, agreementId));
  }
  return out;
}
