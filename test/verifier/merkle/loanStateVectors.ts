import fs from "node:fs";
import path from "node:path";

/** The golden vectors of the loan state tree, written once (docs/formats.md, "Loan state tree"). */
export interface LoanStateVectors {
  agreementId: string;
  keys: { agreementId: string; loanId: string; key: string }[];
  heads: { digests: string[]; head: string }[];
  leaf: { key: string; count: number; head: string; hash: string };
  inner: { left: string; right: string; hash: string };
  trees: {
    name: string;
    root: string;
    entries: { key: string; count: number; head: string; digests: string[]; siblings: string[] }[];
  }[];
}

export const LOAN_STATE_VECTORS = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "..", "fixtures", "loan-state.json"), "utf8"),
) as LoanStateVectors;
