import {
  roleOf,
  type AgreementVersion,
  type Evaluation,
  type InstallmentEvaluation,
  type StageEvaluation,
} from "@repayproof/verifier";
import { t } from "../i18n";
import { h, s, short } from "./dom";

/** Plain receipts of the timeline that are drawn as marks: reversals, compensations and voids. */
export interface Mark {
  installment: number;
  kind: "REVERSED" | "COMPENSATED" | "VOIDED";
  at: number;
}

const W = 1000;
const LEFT = 100;
/** The right-hand column where each stage says what happened (late by how much, and whose fault). */
const LABEL_W = 380;
const ROW = 34;
const STAGE_ROWS = ["DUE", "INITIATED", "SETTLED", "FORWARDED", "CONFIRMED"] as const;

/** `2 h 05 min`, `3 min 20 s`, `45 s`. */
export function duration(secs: number): string {
  const d = Math.floor(secs / 86400);
  const hh = Math.floor((secs % 86400) / 3600);
  const mm = Math.floor((secs % 3600) / 60);
  const ss = secs % 60;
  if (d > 0) return `${d} d ${hh} h`;
  if (hh > 0) return `${hh} h ${String(mm).padStart(2, "0")} min`;
  if (mm > 0) return `${mm} min ${ss} s`;
  return `${ss} s`;
}

/** Who `responsible` is, by the role it holds in the agreement version in force, with its address shortened. */
export function partyName(responsible: string | null, terms: AgreementVersion["terms"] | undefined): string {
  if (responsible === null) return "—";
  if (responsible === "borrower") return "borrower";
  const role = terms === undefined ? undefined : roleOf(responsible, terms);
  return role === undefined ? short(responsible) : `${role} ${short(responsible)}`;
}

function stageEnd(st: StageEvaluation, asOf: number): number | null {
  return st.judgedAt ?? st.closedAt ?? (st.open ? asOf : null);
}

/** One installment as a picture: each stage a bar from the stage before it, the part past its deadline marked. */
function installmentSvg(
  inst: InstallmentEvaluation,
  asOf: number,
  versions: readonly AgreementVersion[],
  marks: readonly Mark[],
): SVGElement {
  const times: number[] = [];
  for (const st of inst.stages) {
    for (const v of [st.at, st.judgedAt, st.deadline, st.closedAt]) if (v !== null) times.push(v);
    if (st.open) times.push(asOf);
  }
  for (const m of marks) times.push(m.at);
  const t0 = times.length ? Math.min(...times) : 0;
  const t1 = times.length ? Math.max(...times, t0 + 1) : 1;
  const x = (tt: number): number => LEFT + ((tt - t0) / (t1 - t0)) * (W - LEFT - LABEL_W - 10);
  const labelX = W - LABEL_W + 4;
  const height = (STAGE_ROWS.length + (marks.length ? 1 : 0)) * ROW + 10;
  const svg = s("svg", {
    viewBox: `0 0 ${W} ${height}`,
    width: "100%",
    role: "img",
    "aria-label": `${t("installment")} ${inst.installment}: ${inst.status}`,
    class: "timeline",
  });
  inst.stages.forEach((st, k) => {
    const y = k * ROW + 8;
    const version = versions.find((v) => v.version === st.version) ?? versions[versions.length - 1];
    const who = partyName(st.responsible, version?.terms);
    const g = s("g", {
      "data-testid": "stage",
      "data-installment": inst.installment,
      "data-stage": st.stage,
      "data-late": st.late ? "true" : "false",
      "data-responsible": st.responsible ?? "",
    });
    g.append(s("text", { x: 4, y: y + 16, class: "stage-name" }, st.stage));
    const start = k === 0 ? null : stageEnd(inst.stages[k - 1] as StageEvaluation, asOf);
    const end = stageEnd(st, asOf);
    if (k === 0 && st.at !== null) {
      g.append(s("circle", { cx: x(st.at), cy: y + 11, r: 6, class: "due" }));
    } else if (start !== null && end !== null) {
      const onTimeEnd = st.deadline !== null && end > st.deadline ? st.deadline : end;
      g.append(s("rect", { x: x(start), y, width: Math.max(2, x(onTimeEnd) - x(start)), height: 22, class: "ok" }));
      if (st.late && st.deadline !== null) {
        const lateRect = s("rect", {
          x: x(st.deadline),
          y,
          width: Math.max(2, x(end) - x(st.deadline)),
          height: 22,
          class: "late",
        });
        lateRect.append(s("title", {}, `${t("late")} ${duration(st.lateBySecs)} — ${t("responsible")}: ${who}`));
        g.append(lateRect);
      }
    }
    const missing = k > 0 && st.at === null && (st.open || st.closedAt !== null);
    const label = st.late
      ? `${missing ? t("missing") + ", " : ""}${t("late")} ${duration(st.lateBySecs)} · ${who}`
      : missing
        ? t("missing")
        : k > 0 && st.at !== null && st.deadline !== null
          ? t("onTime")
          : "";
    if (label)
      g.append(
        s("text", { x: labelX, y: y + 16, class: st.late ? "late-label" : missing ? "missing" : "on-time" }, label),
      );
    if (st.deadline !== null) {
      g.append(s("line", { x1: x(st.deadline), x2: x(st.deadline), y1: y - 3, y2: y + 25, class: "deadline" }));
    }
    svg.append(g);
  });
  if (marks.length) {
    const y = STAGE_ROWS.length * ROW + 8;
    svg.append(s("text", { x: 4, y: y + 16, class: "stage-name" }, t("events")));
    for (const m of marks) {
      const label = m.kind === "REVERSED" ? t("reversed") : m.kind === "COMPENSATED" ? t("compensated") : t("voided");
      svg.append(
        s(
          "g",
          { "data-testid": "mark", "data-kind": m.kind },
          s("path", { d: `M ${x(m.at)} ${y} l 7 12 l -14 0 z`, class: `mark ${m.kind.toLowerCase()}` }),
          s("text", { x: Math.min(x(m.at) + 9, labelX - 90), y: y + 12, class: "mark-label" }, label),
        ),
      );
    }
  }
  return svg;
}

/** The evaluation drawn installment by installment, with a line saying where it came from. */
export function timelineView(
  evaluation: Evaluation,
  versions: readonly AgreementVersion[],
  marks: readonly Mark[],
  verified: boolean,
): HTMLElement {
  const root = h("section", { class: "timeline-view", "data-testid": "timeline" });
  root.append(
    h("p", { class: verified ? "note" : "note warn" }, verified ? t("recomputed") : t("asServed")),
    h(
      "p",
      { class: "legend" },
      h("span", { class: "swatch ok" }),
      t("legendOk"),
      h("span", { class: "swatch late" }),
      t("legendLate"),
      h("span", { class: "swatch deadline" }),
      t("deadline"),
    ),
  );
  for (const inst of evaluation.installments) {
    root.append(
      h("h4", {}, `${t("installment")} ${inst.installment} — ${t("status")}: ${inst.status}`),
      installmentSvg(
        inst,
        evaluation.asOf,
        versions,
        marks.filter((m) => m.installment === inst.installment),
      ),
    );
  }
  return root;
}
