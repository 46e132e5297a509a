import type { AgreementVersion } from "../formats/terms";
import { diffEvaluations, type EvaluationDifference } from "../timeline/evaluateTimeline";
import type { ChainReads } from "./chainReads";
import { failed, guard, passed, type Outcome } from "./checkLog";

/** What TERMS fails with. */
export type TermsCode = "UNKNOWN_AGREEMENT" | "TERMS_MISMATCH";

/** `$.x.y` (a difference's JSONPath) → `x.y`, the field path results use. */
export const fieldOf = (path: string): string => path.replace(/^\$\.?/, "");

/**
 * TERMS: the agreement's versions as the registry records them (`latestVersion`, `termsOf`), compared with the
 * input's copy. Returns the registry's versions (what everything after is judged under, never the copy) and
 * every difference, at `$.agreement.versions…` (expected = the registry's).
 */
export async function checkTerms(
  reads: ChainReads,
  registry: string,
  agreement: { id: string; versions: readonly AgreementVersion[] },
): Promise<{ versions?: AgreementVersion[]; differences: EvaluationDifference[]; outcome: Outcome<TermsCode> }> {
  let versions: AgreementVersion[] | undefined;
  let differences: EvaluationDifference[] = [];
  const outcome = await guard<TermsCode>("UNKNOWN_AGREEMENT", "agreement.id", async () => {
    versions = await reads.agreementVersions(registry, agreement.id);
    if (versions === undefined) {
      return failed("UNKNOWN_AGREEMENT", `the registry does not know agreement ${agreement.id}`, "agreement.id");
    }
    differences = diffEvaluations(versions, agreement.versions).map((d) => ({
      ...d,
      path: d.path.replace(/^\$/, "$.agreement.versions"),
    }));
    if (differences.length === 0) return passed(`${versions.length} version(s)`);
    const message = `${differences.length} difference(s) from the registry`;
    return failed("TERMS_MISMATCH", message, fieldOf(differences[0]!.path));
  });
  return versions === undefined ? { differences, outcome } : { versions, differences, outcome };
}
