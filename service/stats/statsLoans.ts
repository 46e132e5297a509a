import { STAGES } from "@repayproof/verifier";
import type { Store } from "../store/Store";
import type { StageFact } from "../store/statsRecords";
import type { StatsWindow } from "./statsFigures";

/** The figures whose loans can be listed: a row's `judged`, `late`, `openBreaches`, `backdated`, `duration`. */
export const FIGURES = ["judged", "late", "open", "backdated", "duration"] as const;
export type Figure = (typeof FIGURES)[number];

/** Stage facts read for one page at most: a page may come back short (even empty) with a `nextCursor`. */
export const MAX_SCANNED_PER_PAGE = 20_000;

export interface LoanListQuery extends StatsWindow {
  figure: Figure;
  /** 0–4; any stage when absent. */
  stage?: number;
  /** An address (any case), `"borrower"`, or `""` for none (DUE); any party when absent. */
  responsible?: string;
  cursor?: string;
  limit: number;
}

/** One stage of one installment behind a figure. */
export interface LoanRow {
  loanId: string;
  installment: number;
  stage: string;
  responsible: string | null;
  /** The stage's deadline (its judgement time when it has none). */
  at: number;
  /** As the timeline says at `asOf`: final lateness when judged, the time past the deadline when open. */
  lateBySecs: number;
  open: boolean;
  backdated: boolean;
  duration: number | null;
}

function matches(f: StageFact, q: LoanListQuery): boolean {
  if (q.stage !== undefined && f.stage !== q.stage) return false;
  if (q.responsible !== undefined && (f.responsible ?? "").toLowerCase() !== q.responsible.toLowerCase()) return false;
  switch (q.figure) {
    case "judged":
      return f.judged;
    case "late":
      return f.judged && f.lateBy > 0;
    case "open":
      return f.candidate && q.now > f.at;
    case "backdated":
      return f.backdated;
    case "duration":
      return f.duration !== null;
  }
}

/**
 * The loans behind a figure, a page at a time, in (deadline, loan, installment, stage) order, from the stage
 * facts of the window (the index, never the receipts). `nextCursor` is null once the window is exhausted.
 */
export async function statsLoans(
  store: Store,
  q: LoanListQuery,
): Promise<{ loans: LoanRow[]; nextCursor: string | null }> {
  const loans: LoanRow[] = [];
  let scanned = 0;
  let last: string | undefined;
  for await (const [cursor, f] of store.statsFacts(q.agreementId, q.from, q.to, q.cursor)) {
    last = cursor;
    scanned++;
    if (matches(f, q)) {
      const open = f.candidate && q.now > f.at;
      loans.push({
        loanId: f.loanId,
        installment: f.installment,
        stage: STAGES[f.stage] as string,
        responsible: f.responsible,
        at: f.at,
        lateBySecs: f.judged ? f.lateBy : open ? q.now - f.at : 0,
        open,
        backdated: f.backdated,
        duration: f.duration,
      });
    }
    if (loans.length >= q.limit || scanned >= MAX_SCANNED_PER_PAGE) return { loans, nextCursor: last };
  }
  return { loans, nextCursor: null };
}
