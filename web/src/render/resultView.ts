import {
  CHANNEL_NAMES,
  formatAmount,
  formatTime,
  KIND_NAMES,
  parseBundle,
  parseTimelineBundle,
  type Evaluation,
} from "@repayproof/verifier";
import { t } from "../i18n";
import { sentence } from "../sentences";
import type { Outcome } from "../verifyFile";
import { clean, h, short } from "./dom";
import { timelineView, type Mark } from "./timelineSvg";

type Verdict = "valid" | "invalid" | "error";

function verdictOf(o: Outcome): Verdict {
  if (o.result.inconclusive) return "error";
  return o.result.valid ? "valid" : "invalid";
}

function checksList(
  checks: readonly { check: string; status: string; code?: string; message?: string }[],
): HTMLElement {
  const ul = h("ul", { class: "checks" });
  for (const c of checks) {
    ul.append(
      h(
        "li",
        { "data-testid": `check-${c.check}`, "data-status": c.status, class: c.status },
        h(
          "span",
          { class: "mark" },
          c.status === "pass" ? "✓" : c.status === "fail" ? "✗" : c.status === "error" ? "?" : "·",
        ),
        h("strong", {}, c.check),
        c.code ? h("code", {}, c.code) : null,
        h("span", { class: "sentence" }, sentence(c.check, c.status, c.code)),
        c.message && c.status !== "pass" ? h("small", { class: "detail" }, c.message) : null,
      ),
    );
  }
  return ul;
}

function receiptSummary(json: unknown): HTMLElement | null {
  let b;
  try {
    b = parseBundle(json);
  } catch {
    return null;
  }
  const r = b.receipt;
  const row = (k: string, v: string): HTMLElement => h("div", { class: "row" }, h("dt", {}, k), h("dd", {}, v));
  return h(
    "dl",
    { class: "summary" },
    row("kind", KIND_NAMES[r.kind - 1] ?? String(r.kind)),
    row("amount", formatAmount(r.amount, r.currency)),
    row(t("installment"), String(r.installment)),
    row("channel", CHANNEL_NAMES[r.channel] ?? String(r.channel)),
    row("occurred", formatTime(r.occurredAt)),
    row("attester", r.attester),
    row("loan", short(r.loanId)),
  );
}

function timelineDrawing(o: Extract<Outcome, { kind: "timeline" }>): HTMLElement | null {
  let tl;
  try {
    tl = parseTimelineBundle(o.json);
  } catch {
    return null;
  }
  const marks: Mark[] = [];
  for (const e of tl.events) {
    const r = e.kind === "anchored" ? e.bundle.receipt : e.pending.receipt;
    if (r.kind === 6 || r.kind === 7 || r.kind === 8) {
      marks.push({
        installment: r.installment,
        kind: r.kind === 6 ? "REVERSED" : r.kind === 7 ? "COMPENSATED" : "VOIDED",
        at: r.occurredAt,
      });
    }
  }
  const verified = o.result.evaluation !== undefined;
  const evaluation = (o.result.evaluation ?? (tl.evaluation as unknown as Evaluation)) as Evaluation;
  if (!Array.isArray(evaluation.installments)) return null;
  return timelineView(evaluation, tl.agreement.versions, marks, verified);
}

/** One file's verdict, every check with its code and a plain sentence, and what the file holds. */
export function resultView(fileName: string, o: Outcome): HTMLElement {
  const verdict = verdictOf(o);
  const breach = o.kind === "receipt" && !o.result.valid && o.result.authentic && !o.result.inconclusive;
  const word = breach ? t("breach") : t(verdict);
  const article = h(
    "article",
    { class: `result ${verdict}`, "data-testid": "result", "data-file": clean(fileName) },
    h(
      "h3",
      {},
      h("span", { "data-testid": "verdict", "data-verdict": verdict, class: `verdict ${verdict}` }, word),
      " ",
      fileName,
    ),
  );
  if (o.kind === "unreadable") article.append(h("p", { class: "warn" }, t(o.reason)));
  article.append(checksList(o.result.checks));
  if (o.kind === "receipt") article.append(h("h4", {}, t("receipt")), receiptSummary(o.json) ?? "");
  if (o.kind === "timeline") {
    const bad = o.result.events.filter((e) => !e.valid);
    for (const e of bad.slice(0, 20)) {
      const why = e.foreign
        ? "EVENT_FOREIGN"
        : (e.checks.find((c) => c.status === "fail" || c.status === "error")?.code ?? "");
      article.append(
        h("p", { class: "event-bad" }, `event ${e.index} ${short(e.digest)}: ${why} — ${sentence("", "fail", why)}`),
      );
    }
    article.append(h("h4", {}, t("timeline")), timelineDrawing(o) ?? "");
  }
  return article;
}
