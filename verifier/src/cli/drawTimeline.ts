import { roleOf, versionInForce, type AgreementVersion } from "../formats/terms";
import { formatTime } from "./format";

/**
 * A loan's evaluation drawn for a terminal: per installment its status, then each stage with its time, its
 * deadline, a bar (the part within the allowance, then the part past the deadline), how late and who was
 * responsible — by the role the agreement gives them, the address shortened — and whether it is an open
 * breach or was judged at its anchor time (backdated). The evaluation may be unverified JSON (`inspect`):
 * every field is read defensively, and what is not of the expected type is left out.
 */

const BAR = 24;
const STAGE_W = 10;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const num = (v: unknown): number | null => (typeof v === "number" && Number.isSafeInteger(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** `1 d 2 h`, `3 h 05 min`, `4 min 10 s`, `45 s`. */
export function formatDuration(secs: number): string {
  const d = Math.floor(secs / 86400);
  const h = Math.floor((secs % 86400) / 3600);
  const m = Math.floor((secs % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${String(m).padStart(2, "0")} min`;
  if (m > 0) return `${m} min ${secs % 60} s`;
  return `${secs} s`;
}

/** `borrower`, or `collector 0x1234…abcd` (the role under the version in force, else the address alone). */
export function partyLabel(
  responsible: string | null,
  versions: readonly AgreementVersion[],
  at: number | null,
): string {
  if (responsible === null) return "";
  if (responsible === "borrower") return "borrower";
  const version = at === null ? versions[versions.length - 1] : versionInForce(versions, at);
  const role = version ? roleOf(responsible, version.terms) : undefined;
  const short = responsible.length > 14 ? `${responsible.slice(0, 6)}…${responsible.slice(-4)}` : responsible;
  return role ? `${role} ${short}` : short;
}

/** `[██████▓▓▓▓]`: the stage's span from the stage before it, the late part shaded, scaled to `scale` seconds. */
function bar(onTimeSecs: number, lateSecs: number, scale: number): string {
  const cells = (s: number): number => (scale <= 0 ? 0 : Math.round((s / scale) * BAR));
  const late = Math.min(BAR, lateSecs > 0 ? Math.max(1, cells(lateSecs)) : 0);
  const ok = Math.min(BAR - late, cells(onTimeSecs));
  return `[${"█".repeat(ok)}${"▓".repeat(late)}${" ".repeat(BAR - ok - late)}]`;
}

function stageLines(inst: Obj, versions: readonly AgreementVersion[], asOf: number | null): string[] {
  const stages = Array.isArray(inst.stages) ? inst.stages.map(obj) : [];
  const endOf = (s: Obj): number | null => num(s.judgedAt) ?? num(s.closedAt) ?? (s.open === true ? asOf : null);
  const spans = stages.map((s, k) => {
    const start = k === 0 ? null : endOf(stages[k - 1] as Obj);
    const end = endOf(s);
    return start !== null && end !== null ? Math.max(0, end - start) : 0;
  });
  const scale = Math.max(1, ...spans);
  return stages.map((s, k) => {
    const name = (str(s.stage) ?? "?").padEnd(STAGE_W);
    const at = num(s.at);
    const deadline = num(s.deadline);
    const lateBy = num(s.lateBySecs) ?? 0;
    const when =
      at !== null
        ? formatTime(at)
        : s.open === true
          ? "missing (open breach)"
          : num(s.closedAt) !== null
            ? "no receipt (a later stage shows it happened)"
            : "—";
    if (k === 0) return `  ${name} ${when}`;
    const span = spans[k] ?? 0;
    const who = partyLabel(str(s.responsible), versions, at);
    const verdict =
      s.late === true
        ? `LATE by ${formatDuration(lateBy)}${who ? ` — ${who}` : ""}`
        : at !== null && deadline !== null
          ? "on time"
          : "";
    const notes = [
      s.backdated === true ? "backdated: judged at its anchor time" : "",
      s.pending === true ? "pending" : "",
    ]
      .filter(Boolean)
      .map((n) => ` (${n})`)
      .join("");
    const due = deadline === null ? "" : `  deadline ${formatTime(deadline)}`;
    return `  ${name} ${bar(span - (s.late === true ? lateBy : 0), s.late === true ? lateBy : 0, scale)} ${when}${due}  ${verdict}${notes}`.trimEnd();
  });
}

/** Every installment of `evaluation` drawn, each under a heading with its status and amounts. */
export function drawEvaluation(evaluation: unknown, versions: readonly AgreementVersion[]): string[] {
  const e = obj(evaluation);
  const asOf = num(e.asOf);
  const out: string[] = [];
  for (const inst of Array.isArray(e.installments) ? e.installments.map(obj) : []) {
    const due = str(inst.due);
    out.push(
      `installment ${num(inst.installment) ?? "?"}: ${str(inst.status) ?? "?"}${due ? `  (due ${due} minor units)` : ""}`,
    );
    out.push(...stageLines(inst, versions, asOf));
    const open = (Array.isArray(inst.stages) ? inst.stages.map(obj) : []).filter((s) => s.open === true);
    for (const s of open)
      out.push(
        `  ! open breach: ${str(s.stage) ?? "?"} past its deadline, ${partyLabel(str(s.responsible), versions, null)}`,
      );
  }
  if (asOf !== null) out.push(`judged as of ${formatTime(asOf)} (the latest anchored block time)`);
  return out;
}
