import { STAGES } from "@repayproof/verifier";
import { ApiError } from "../errors";
import { FIGURES, type Figure } from "./statsLoans";

/** The latest time a window may name (year 33658): beyond it a time is a mistake, not a date. */
export const MAX_TIME = 1e12 - 1;
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export interface ParsedStatsQuery {
  agreementId: string;
  from: number;
  to: number;
  csv: boolean;
  figure?: Figure;
  stage?: number;
  responsible?: string;
  cursor?: string;
  limit: number;
}

const bad = (field: string, message: string): ApiError =>
  new ApiError("INVALID_BODY", `${field}: ${message}`, { field });

function time(q: Record<string, string>, field: string, fallback: number): number {
  const v = q[field];
  if (v === undefined) return fallback;
  if (!/^[0-9]{1,12}$/.test(v)) throw bad(field, "expected unix seconds (a non-negative integer)");
  return Number(v);
}

/**
 * The query of `GET /v1/stats` and `/v1/stats/loans` (already limited to known names, strings only), checked:
 * times in unix seconds with from ≤ to, a known figure and stage, an address or `borrower`, a cursor of the
 * cursors' alphabet, 1 ≤ limit ≤ 1000. `agreementId` is checked by the access scope. 400 INVALID_BODY otherwise.
 */
export function parseStatsQuery(q: Record<string, string>, accept: string | undefined): ParsedStatsQuery {
  const from = time(q, "from", 0);
  const to = time(q, "to", MAX_TIME);
  if (from > to) throw bad("from", "from is after to");
  const limit = q.limit === undefined ? DEFAULT_LIMIT : /^[0-9]{1,4}$/.test(q.limit) ? Number(q.limit) : NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) throw bad("limit", `expected 1 to ${MAX_LIMIT}`);
  if (q.format !== undefined && q.format !== "csv" && q.format !== "json") throw bad("format", "expected csv or json");
  const csv = q.format === "csv" || (q.format === undefined && /\btext\/csv\b/i.test(accept ?? ""));
  const out: ParsedStatsQuery = { agreementId: q.agreementId ?? "", from, to, csv, limit };
  if (q.figure !== undefined) {
    if (!(FIGURES as readonly string[]).includes(q.figure))
      throw bad("figure", `expected one of ${FIGURES.join(", ")}`);
    out.figure = q.figure as Figure;
  }
  if (q.stage !== undefined) {
    const k = (STAGES as readonly string[]).indexOf(q.stage.toUpperCase());
    if (k < 0) throw bad("stage", `expected one of ${STAGES.join(", ")}`);
    out.stage = k;
  }
  if (q.responsible !== undefined) {
    if (!/^(0x[0-9a-fA-F]{40}|borrower|)$/.test(q.responsible))
      throw bad("responsible", "expected an address or borrower");
    out.responsible = q.responsible;
  }
  if (q.cursor !== undefined) {
    // Opaque (the store's): only its alphabet and length are checked here.
    if (!/^[0-9A-Za-z:_-]{1,200}$/.test(q.cursor)) throw bad("cursor", "not a cursor this service gave");
    out.cursor = q.cursor;
  }
  return out;
}
