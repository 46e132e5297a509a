import { keccakReady } from "@repayproof/verifier";
import { lang, setLang, t, type Label } from "./i18n";
import { clean, h } from "./render/dom";
import { loanOfPath, loanPage } from "./loanPage";
import { resultView } from "./render/resultView";
import { defaultSettings, isAddress, type Settings } from "./settings";
import { statsPage } from "./statsPage";
import { connect, type Chain } from "./verifyFile";
import { prestartWorkers, verifyAll } from "./verifyPool";

/**
 * The verification page: pick or drop proof files, and every check of every file runs here, in the browser,
 * with the verifier's own code against the RPC in the field — the service is never asked for a verdict.
 */

const app = document.getElementById("app") as HTMLElement;
let settings: Settings = { rpcUrl: "", anchor: "", registry: "", source: "none" };
let lastFiles: File[] = [];

function field(label: Label, id: string, value: string, testId: string): HTMLElement {
  const input = h("input", {
    id,
    type: "text",
    value,
    "data-testid": testId,
    spellcheck: "false",
    autocomplete: "off",
  });
  input.addEventListener("change", () => {
    settings = { ...settings, [id]: input.value.trim() };
    renderPins();
  });
  return h("div", { class: "field" }, h("label", { for: id }, t(label)), input);
}

function renderPins(): void {
  const el = document.getElementById("pins");
  if (!el) return;
  el.replaceChildren();
  const pinned = isAddress(settings.anchor) || isAddress(settings.registry);
  el.className = pinned ? "pins" : "pins warn";
  el.setAttribute("data-pinned", pinned ? "true" : "false");
  if (pinned) {
    el.append(t("pinned"), ": ", `anchor ${settings.anchor || "—"}, registry ${settings.registry || "—"}`);
  } else el.append(t("unpinned"));
}

async function verifyFiles(files: File[]): Promise<void> {
  lastFiles = files;
  const out = document.getElementById("results") as HTMLElement;
  out.replaceChildren(h("p", { "data-testid": "busy" }, t("verifying")));
  if (files.length === 0) {
    out.replaceChildren(h("p", {}, t("noFiles")));
    return;
  }
  if (settings.rpcUrl === "") {
    out.replaceChildren(h("p", { class: "warn", "data-testid": "rpc-missing" }, t("noRpc")));
    return;
  }
  let chain: Chain;
  try {
    chain = await connect(settings.rpcUrl);
  } catch (e) {
    out.replaceChildren(
      h(
        "p",
        { class: "warn" },
        h("span", { "data-testid": "verdict", "data-verdict": "error" }, t("rpcDown")),
        ": ",
        clean((e as Error).message).slice(0, 200),
      ),
    );
    return;
  }
  const contracts = {
    ...(isAddress(settings.anchor) ? { anchor: settings.anchor } : {}),
    ...(isAddress(settings.registry) ? { registry: settings.registry } : {}),
  };
  // On every core (./verifyPool); each view is drawn as its outcome arrives, shown in the files' order.
  const views: HTMLElement[] = new Array(files.length);
  const job = { files, chain, rpcUrl: settings.rpcUrl, contracts };
  try {
    await verifyAll(job, (i, outcome) => (views[i] = resultView((files[i] as File).name, outcome)));
  } finally {
    chain.close();
  }
  out.replaceChildren(...views);
  out.setAttribute("data-done", String(Date.now()));
}

function render(): void {
  document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";
  document.title = t("title");
  const input = h("input", {
    type: "file",
    id: "files",
    multiple: "",
    accept: ".json,application/json",
    "data-testid": "bundle-input",
  });
  input.addEventListener("change", () => void verifyFiles([...(input.files ?? [])]));
  const drop = h("label", { for: "files", class: "drop", tabindex: "0" }, t("drop"));
  drop.addEventListener("dragover", (e) => e.preventDefault());
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    void verifyFiles([...(e.dataTransfer?.files ?? [])]);
  });
  drop.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") input.click();
  });
  const again = h("button", { type: "button" }, t("verify"));
  again.addEventListener("click", () => void verifyFiles(lastFiles));
  const switcher = h("button", { type: "button", "data-testid": "lang", class: "lang" }, t("language"));
  switcher.addEventListener("click", () => {
    setLang(lang() === "en" ? "zh" : "en");
    render();
    void verifyFiles(lastFiles);
  });
  const form = h(
    "form",
    { class: "settings" },
    field("rpc", "rpcUrl", settings.rpcUrl, "rpc-url"),
    field("anchor", "anchor", settings.anchor, "anchor"),
    field("registry", "registry", settings.registry, "registry"),
  );
  form.addEventListener("submit", (e) => e.preventDefault());
  if (/^\/stats\/?$/.test(window.location.pathname)) {
    const root = h("section", { id: "stats-page" });
    app.replaceChildren(
      h("header", {}, h("h1", {}, t("statsTitle")), switcher),
      h("p", { class: "intro" }, t("statsIntro")),
      root,
    );
    statsPage(root);
    return;
  }
  const loanId = loanOfPath(window.location);
  if (loanId !== undefined) {
    const loan = h("section", { id: "loan", "data-testid": "loan", "aria-live": "polite" });
    app.replaceChildren(
      h("header", {}, h("h1", {}, t("loanTitle")), switcher),
      h("p", { class: "intro" }, t("loanIntro")),
      form,
      h("p", { id: "pins", "data-testid": "pins" }),
      loan,
    );
    renderPins();
    loanPage(loan, loanId, settings).catch((e: unknown) =>
      loan.append(h("p", { class: "warn", "data-testid": "loan-error" }, clean((e as Error).message).slice(0, 300))),
    );
    return;
  }
  app.replaceChildren(
    h("header", {}, h("h1", {}, t("title")), switcher),
    h("p", { class: "intro" }, t("intro")),
    form,
    h("p", { id: "pins", "data-testid": "pins" }),
    h("div", { class: "field" }, h("span", { class: "label" }, t("files")), input, drop, again),
    h("section", { id: "results", "aria-live": "polite" }),
  );
  renderPins();
}

async function boot(): Promise<void> {
  if (navigator.language.startsWith("zh")) setLang("zh");
  // The WebAssembly keccak is only faster; without it (a strict browser) the portable one runs.
  await keccakReady().catch(() => undefined);
  settings = await defaultSettings(window.location);
  render();
  // Only the verification page verifies many files: the loan and stats pages start no workers.
  if (loanOfPath(window.location) === undefined && !/^\/stats\/?$/.test(window.location.pathname)) prestartWorkers();
  document.body.setAttribute("data-ready", "true");
}

void boot();
