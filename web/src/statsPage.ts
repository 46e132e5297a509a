import { t } from "./i18n";
import { clean, h, short } from "./render/dom";

/**
 * The supervision figures of one agreement (`/stats?agreementId=…#token=…`): a table per stage and responsible
 * party from `GET /v1/stats`, a bar for each row's late share, the loans behind a figure (`/v1/stats/loans`,
 * page by page, each linking to its loan page), and the same table as CSV. The reader's `Bearer` token comes
 * from the URL's fragment (never sent to a server) or the field; the service checks it and scopes the figures.
 */

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

interface Spread {
  count: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
}
interface Row {
  stage: string;
  responsible: string | null;
  judged: number;
  late: number;
  lateness: Spread;
  openBreaches: number;
  backdated: number;
  duration: Spread;
}
interface LoanRow {
  loanId: string;
  installment: number;
  stage: string;
  lateBySecs: number;
}

async function call(path: string, token: string, accept = "application/json"): Promise<Response> {
  return fetch(path, { headers: { accept, authorization: `Bearer ${token}` } });
}

async function errorCode(res: Response): Promise<string> {
  try {
    return String(((await res.json()) as { error?: { code?: unknown } }).error?.code ?? res.status);
  } catch {
    return String(res.status);
  }
}

const secs = (v: number | null): string => (v === null ? "—" : String(v));

function lateBar(row: Row): HTMLElement {
  const share = row.judged > 0 ? row.late / row.judged : 0;
  const pct = Math.round(share * 1000) / 10;
  return h(
    "div",
    { class: "bar", "data-testid": "late-bar", "data-share": String(pct), title: `${pct}%` },
    h("span", { style: `width:${pct}%` }),
    h("small", {}, `${pct}%`),
  );
}

function loansList(base: string, token: string, row: Row, figure: string, out: HTMLElement): void {
  const q = `&figure=${figure}&stage=${row.stage}&responsible=${row.responsible ?? ""}&limit=50`;
  const list = h("ul", { "data-testid": "stats-loans", "data-figure": figure });
  out.replaceChildren(h("h3", {}, `${t("loansBehind")}: ${row.stage} · ${row.responsible ?? "—"} · ${figure}`), list);
  const page = async (cursor: string | null): Promise<void> => {
    const res = await call(`/v1/stats/loans?${base}${q}${cursor ? `&cursor=${cursor}` : ""}`, token);
    if (!res.ok) return void list.append(h("li", { class: "warn" }, await errorCode(res)));
    const body = (await res.json()) as { loans: LoanRow[]; nextCursor: string | null };
    for (const l of body.loans) {
      const href = `/loan/${l.loanId}#token=${encodeURIComponent(token)}`;
      list.append(
        h(
          "li",
          { "data-testid": "stats-loan", "data-loan": l.loanId },
          h("a", { href }, short(l.loanId)),
          ` #${l.installment} ${l.stage} +${l.lateBySecs}s`,
        ),
      );
    }
    if (body.nextCursor !== null) {
      const more = h("button", { type: "button", "data-testid": "stats-more" }, t("more"));
      more.addEventListener("click", () => {
        more.remove();
        void page(body.nextCursor);
      });
      list.append(h("li", {}, more));
    }
  };
  void page(null);
}

function countLink(n: number, open: () => void, figure: string): HTMLElement {
  if (n === 0) return h("td", {}, "0");
  const a = h("a", { href: "#", "data-testid": `count-${figure}` }, String(n));
  a.addEventListener("click", (e) => {
    e.preventDefault();
    open();
  });
  return h("td", {}, a);
}

function table(rows: Row[], base: string, token: string, loans: HTMLElement): HTMLElement {
  const head = ["stage", "responsible", "judged", "late", "lateShare", "p50", "p95", "max", "openBreaches"] as const;
  const tail = ["backdated", "duration"] as const;
  return h(
    "table",
    { class: "stats", "data-testid": "stats-table" },
    h("thead", {}, h("tr", {}, ...[...head, ...tail].map((k) => h("th", {}, t(k))))),
    h(
      "tbody",
      {},
      ...rows.map((r) => {
        const open = (figure: string) => () => loansList(base, token, r, figure, loans);
        return h(
          "tr",
          { "data-testid": "stats-row", "data-stage": r.stage, "data-responsible": r.responsible ?? "" },
          h("td", {}, r.stage),
          h("td", { title: r.responsible ?? "" }, r.responsible === null ? "—" : short(r.responsible)),
          countLink(r.judged, open("judged"), "judged"),
          countLink(r.late, open("late"), "late"),
          h("td", {}, lateBar(r)),
          h("td", {}, secs(r.lateness.p50)),
          h("td", {}, secs(r.lateness.p95)),
          h("td", {}, secs(r.lateness.max)),
          countLink(r.openBreaches, open("open"), "open"),
          countLink(r.backdated, open("backdated"), "backdated"),
          h("td", {}, r.duration.count === 0 ? "—" : `${r.duration.p50} / ${r.duration.p95} / ${r.duration.max}`),
        );
      }),
    ),
  );
}

function csvButton(base: string, token: string, agreementId: string): HTMLElement {
  const button = h("button", { type: "button", "data-testid": "stats-csv" }, t("csv"));
  button.addEventListener("click", () => {
    void call(`/v1/stats?${base}`, token, "text/csv").then(async (res) => {
      const url = URL.createObjectURL(new Blob([await res.text()], { type: "text/csv" }));
      const a = h("a", { href: url, download: `repayproof-stats-${agreementId.slice(0, 10)}.csv` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    });
  });
  return button;
}

/** Loads and draws the figures of `agreementId` into `out`. */
async function show(out: HTMLElement, agreementId: string, token: string, from: string, to: string): Promise<void> {
  out.replaceChildren(h("p", {}, t("verifying")));
  const base =
    `agreementId=${agreementId}` +
    (/^[0-9]+$/.test(from) ? `&from=${from}` : "") +
    (/^[0-9]+$/.test(to) ? `&to=${to}` : "");
  const res = await call(`/v1/stats?${base}`, token);
  if (!res.ok) {
    const code = clean(await errorCode(res));
    out.replaceChildren(
      h("p", { class: "warn", "data-testid": "stats-error", "data-code": code }, `${t("statsError")}: ${code}`),
    );
    return;
  }
  const body = (await res.json()) as { asOf: number; stages: Row[] };
  const loans = h("section", { "data-testid": "stats-loans-panel" });
  out.replaceChildren(
    h("p", { "data-testid": "stats-asof" }, `${t("asOf")} ${new Date(body.asOf * 1000).toISOString()}`),
    table(body.stages, base, token, loans),
    csvButton(base, token, agreementId),
    loans,
  );
  out.setAttribute("data-done", String(Date.now()));
}

/** The stats page: its form (agreement, token, window) and the figures once asked for (or at once from the URL). */
export function statsPage(root: HTMLElement): void {
  const q = new URLSearchParams(window.location.search);
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token") ?? "";
  const input = (id: string, value: string, type = "text") =>
    h("input", { id, type, value, "data-testid": `stats-${id}`, spellcheck: "false", autocomplete: "off" });
  const fields = {
    agreement: input("agreement", q.get("agreementId") ?? ""),
    token: input("token", token, "password"),
    from: input("from", q.get("from") ?? ""),
    to: input("to", q.get("to") ?? ""),
  };
  const out = h("section", { id: "stats", "data-testid": "stats", "aria-live": "polite" });
  const go = (): void => {
    const id = fields.agreement.value.trim();
    if (!BYTES32.test(id)) return void out.replaceChildren(h("p", { class: "warn" }, t("agreement")));
    void show(out, id.toLowerCase(), fields.token.value.trim(), fields.from.value.trim(), fields.to.value.trim());
  };
  const button = h("button", { type: "button", "data-testid": "stats-show" }, t("show"));
  button.addEventListener("click", go);
  const label = (k: "agreement" | "token" | "from" | "to") =>
    h("div", { class: "field" }, h("label", { for: k }, t(k)), fields[k]);
  root.append(label("agreement"), label("token"), label("from"), label("to"), button, out);
  if (fields.agreement.value !== "" && fields.token.value !== "") go();
}
