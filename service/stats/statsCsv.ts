import type { StatsFigures } from "./statsFigures";
import type { LoanRow } from "./statsLoans";

const cell = (v: unknown): string => {
  const s = v === null || v === undefined ? "" : String(v);
  // Quote what CSV needs quoted; a leading = + - @ would be a formula to a spreadsheet: prefix it.
  const safe = /^[=+\-@]/.test(s) && !/^-?[0-9]+$/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};
const lines = (rows: unknown[][]): string => rows.map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";

/** `GET /v1/stats` as CSV: one line per (stage, responsible) row, the same numbers as the JSON. */
export function figuresCsv(f: StatsFigures): string {
  const head = [
    "agreementId",
    "from",
    "to",
    "asOf",
    "stage",
    "responsible",
    "judged",
    "late",
    "lateP50",
    "lateP95",
    "lateMax",
    "openBreaches",
    "backdated",
    "durationCount",
    "durationP50",
    "durationP95",
    "durationMax",
  ];
  return lines([
    head,
    ...f.stages.map((s) => [
      f.agreementId,
      f.from,
      f.to,
      f.asOf,
      s.stage,
      s.responsible,
      s.judged,
      s.late,
      s.lateness.p50,
      s.lateness.p95,
      s.lateness.max,
      s.openBreaches,
      s.backdated,
      s.duration.count,
      s.duration.p50,
      s.duration.p95,
      s.duration.max,
    ]),
  ]);
}

/** `GET /v1/stats/loans` as CSV: one line per stage behind the figure (the cursor travels in a header). */
export function loansCsv(loans: readonly LoanRow[]): string {
  const head = ["loanId", "installment", "stage", "responsible", "at", "lateBySecs", "open", "backdated", "duration"];
  return lines([
    head,
    ...loans.map((l) => [
      l.loanId,
      l.installment,
      l.stage,
      l.responsible,
      l.at,
      l.lateBySecs,
      l.open,
      l.backdated,
      l.duration,
    ]),
  ]);
}
