import { disclosureHash, parseTimelineBundle, type AgreementVersion } from "@repayproof/verifier";
import { t } from "./i18n";
import { clean, h } from "./render/dom";
import { resultView } from "./render/resultView";
import { isAddress, type Settings } from "./settings";
import { connect, verifyText } from "./verifyFile";
import { zip } from "./zip";

const LOAN_PATH = /^\/loan\/(0x[0-9a-fA-F]{64})\/?$/;

/** The loan id when the page was opened as a share link's loan page (`/loan/<loanId>?share=…`). */
export function loanOfPath(loc: Location): string | undefined {
  return LOAN_PATH.exec(loc.pathname)?.[1]?.toLowerCase();
}

function partiesView(versions: readonly AgreementVersion[]): HTMLElement {
  const v = versions[versions.length - 1] as AgreementVersion;
  const row = (label: string, value: string, testId: string): HTMLElement =>
    h("div", { class: "row", "data-testid": testId }, h("dt", {}, label), h("dd", {}, value));
  const zero = /^0x0{40}$/i;
  return h(
    "section",
    { class: "parties" },
    h("h2", {}, t("whoIsWho"), " ", h("small", {}, `(${t("asOfVersion")} ${v.version})`)),
    h(
      "dl",
      { class: "summary" },
      row(t("funder"), v.terms.funder, "party-funder"),
      row(t("platform"), v.terms.platform, "party-platform"),
      row(t("collector"), v.terms.collector, "party-collector"),
      zero.test(v.terms.guarantor) ? null : row(t("guarantor"), v.terms.guarantor, "party-guarantor"),
      row(t("channels"), v.terms.channels.join(", "), "party-channels"),
    ),
  );
}

function downloadButton(loanId: string, served: string, events: unknown[]): HTMLElement {
  const button = h("button", { type: "button", "data-testid": "download" }, t("download"));
  button.addEventListener("click", () => {
    const files = [{ name: "timeline.json", content: served }];
    for (const e of events) {
      const o = e as { format?: unknown; digest?: unknown };
      if (
        o.format === "repayproof/receipt-proof@1" &&
        typeof o.digest === "string" &&
        /^0x[0-9a-f]{64}$/.test(o.digest)
      ) {
        files.push({ name: `bundles/${o.digest}.json`, content: JSON.stringify(e, null, 2) });
      }
    }
    const url = URL.createObjectURL(new Blob([zip(files)], { type: "application/zip" }));
    const a = h("a", { href: url, download: `repayproof-loan-${loanId.slice(0, 10)}.zip` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  });
  return button;
}

function disclosureCheck(versions: readonly AgreementVersion[]): HTMLElement {
  const input = h("input", { type: "file", id: "disclosure", "data-testid": "disclosure-input" });
  const out = h("p", { "data-testid": "disclosure-result", "aria-live": "polite" });
  input.addEventListener("change", () => {
    const f = input.files?.[0];
    if (!f) return;
    void f.arrayBuffer().then((bytes) => {
      const hash = disclosureHash(new Uint8Array(bytes));
      const match = versions.filter((v) => v.terms.disclosureHash.toLowerCase() === hash);
      out.setAttribute("data-match", match.length > 0 ? "true" : "false");
      out.replaceChildren(
        match.length > 0
          ? `✓ ${t("disclosureYes")} ${match.map((v) => v.version).join(", ")}`
          : `✗ ${t("disclosureNo")}`,
        h("br"),
        h("small", {}, `keccak-256 ${hash}`),
      );
    });
  });
  return h("section", { class: "field" }, h("label", { for: "disclosure" }, t("disclosure")), input, out);
}

/**
 * The loan page a share link opens: the service gives the loan's timeline (the share in the link lets this one
 * reader read this one loan), and the page verifies it here against the chain like any dropped file, then
 * says who lends, who facilitates, who collects and through which channels, draws each installment, offers
 * every file for checking elsewhere, and checks a disclosure document against what all parties signed.
 */
export async function loanPage(root: HTMLElement, loanId: string, settings: Settings): Promise<void> {
  const share = new URLSearchParams(window.location.search).get("share") ?? "";
  // A party following a link from the stats page carries its token in the fragment, which no server sees.
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token") ?? "";
  const res =
    share === "" && token !== ""
      ? await fetch(`/v1/loans/${loanId}/timeline`, {
          headers: { accept: "application/json", authorization: `Bearer ${token}` },
        })
      : await fetch(`/v1/loans/${loanId}/timeline?share=${encodeURIComponent(share)}`, {
          headers: { accept: "application/json" },
        });
  const text = await res.text();
  if (!res.ok) {
    let code = String(res.status);
    try {
      code = String((JSON.parse(text) as { error?: { code?: unknown } }).error?.code ?? code);
    } catch {
      // not our JSON: the status says enough
    }
    root.append(
      h("p", { class: "warn", "data-testid": "loan-error", "data-code": clean(code) }, `${t("loanError")}: ${code}`),
    );
    return;
  }
  const contracts = {
    ...(isAddress(settings.anchor) ? { anchor: settings.anchor } : {}),
    ...(isAddress(settings.registry) ? { registry: settings.registry } : {}),
  };
  const chain = await connect(settings.rpcUrl);
  let outcome;
  try {
    outcome = await verifyText(text, chain, contracts);
  } finally {
    chain.close();
  }
  const served = parseTimelineBundle(JSON.parse(text));
  const versions =
    outcome.kind === "timeline" && outcome.result.versions ? outcome.result.versions : served.agreement.versions;
  const events = (JSON.parse(text) as { events: unknown[] }).events;
  root.append(
    partiesView(versions),
    resultView(`loan ${loanId}`, outcome),
    downloadButton(loanId, text, events),
    disclosureCheck(versions),
  );
  root.setAttribute("data-done", String(Date.now()));
}
