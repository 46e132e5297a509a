import { isBytes32, partiesOf, type AgreementVersion } from "@repayproof/verifier";
import { ApiError } from "../errors";
import type { Reader } from "../read/Reader";
import { assertCanRead } from "./auth";

/** An agreement and its versions, as a reader may see it. */
export interface ScopedAgreement {
  agreementId: string;
  versions: AgreementVersion[];
}

/** The agreement named by a query parameter, checked readable by `party` (404 NOT_FOUND, 403 FORBIDDEN). */
export async function readableAgreement(
  reader: Reader,
  party: string,
  raw: string | undefined,
  field = "agreementId",
): Promise<ScopedAgreement> {
  if (raw === undefined) throw new ApiError("INVALID_BODY", `${field} is required`, { field });
  if (!isBytes32(raw)) throw new ApiError("INVALID_BODY", `${field}: expected 0x followed by 64 hex digits`, { field });
  const agreementId = raw.toLowerCase();
  const versions = await reader.terms.get(agreementId);
  if (!versions || versions.length === 0) throw new ApiError("NOT_FOUND", "the registry has no such agreement");
  assertCanRead(party, reader.regulators, versions);
  return { agreementId, versions };
}

/**
 * The agreements `party` may read among those this service holds terms for (every agreement it relayed or
 * admitted receipts of): all for a regulator. Scans the stored terms (one record per agreement).
 */
export async function readableAgreements(reader: Reader, party: string): Promise<ScopedAgreement[]> {
  const all = reader.regulators.includes(party);
  const out: ScopedAgreement[] = [];
  for await (const [agreementId, versions] of reader.store.termsEntries()) {
    if (all || versions.some((x) => partiesOf(x.terms).includes(party))) out.push({ agreementId, versions });
  }
  return out;
}
