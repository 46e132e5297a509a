import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { expect } from "chai";
import request from "supertest";
import type { Browser, Page } from "playwright-core";
import { KIND, type Terms } from "@repayproof/verifier";
import { WEB_PAGE } from "../../service/routes/webRoutes";
import { waitFor } from "../helpers/waitFor";
import {
  bearer,
  makeParties,
  makeReceipt,
  boundId,
  randomId,
  signReceipt,
  termsOf,
  type Parties,
} from "../helpers/parties";
import { startRouteFixture, type RouteFixture } from "../helpers/routeFixture";
import { launchBrowser, skipLine } from "./browser";
import { lookalikeBundle } from "./lookalike";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read field by field
type Json = any;

const DAY = 86_400;

/** The page's verdict and its checks' statuses once it has finished with the files it was given. */
async function outcome(page: Page, files: string[]): Promise<{ verdicts: string[]; checks: Record<string, string>[] }> {
  const before = await page.getAttribute("#results", "data-done");
  await page.setInputFiles('[data-testid="bundle-input"]', files);
  await page.waitForFunction(
    (prev) => {
      const el = document.getElementById("results");
      return !!el && (el.getAttribute("data-done") !== prev || !!el.querySelector('[data-verdict="error"]'));
    },
    before,
    { timeout: 60_000 },
  );
  return page.$$eval('[data-testid="result"], #results > p', (els) => ({
    verdicts: els.map((e) => e.querySelector('[data-testid="verdict"]')?.getAttribute("data-verdict") ?? "?"),
    checks: els.map((e) =>
      Object.fromEntries(
        [...e.querySelectorAll('[data-testid^="check-"]')].map((c) => [
          (c.getAttribute("data-testid") as string).slice(6),
          c.getAttribute("data-status") as string,
        ]),
      ),
    ),
  }));
}

describe("web app: verification in the browser (Chromium)", function () {
  this.timeout(240_000);
  let f: RouteFixture;
  const p = makeParties();
  let browser: { browser: Browser; close(): Promise<void> } | undefined;
  let dir: string;
  const files: Record<string, string> = {};
  let served: Json;
  const pageErrors: string[] = [];

  before(async function () {
    browser = await launchBrowser();
    if (!browser) {
      console.log(skipLine());
      this.skip();
    }
    expect(fs.existsSync(WEB_PAGE), "npm test builds the web app first").to.equal(true);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-web-"));
    f = await startRouteFixture({ batchIntervalMs: 3_600_000 });
    const agreementId = boundId(p);
    // Long allowances and a month to report, so the story below is late where it says, and never backdated.
    const terms: Terms = { ...termsOf(p), settleSecs: 3600, forwardSecs: DAY, reportSecs: 30 * DAY };
    await f.register(p, agreementId, 1, terms);
    const loanId = randomId();
    const t0 = Math.floor(Date.now() / 1000) - 20 * DAY;
    const r = (who: Parties[keyof Parties], kind: number, at: number, installment = 1) =>
      signReceipt(f.d, makeReceipt(agreementId, who, kind, { loanId, occurredAt: at, installment }), who);
    const signed = [
      r(p.platform, KIND.DUE, t0),
      r(p.channel, KIND.INITIATED, t0 + 2 * DAY), // a day past the borrower's grace
      r(p.channel, KIND.SETTLED, t0 + 2 * DAY + 600),
      r(p.collector, KIND.FORWARDED, t0 + 4 * DAY), // the collector forwards a day late
      r(p.funder, KIND.CONFIRMED, t0 + 4 * DAY + 3600),
      r(p.platform, KIND.DUE, t0 + 10 * DAY, 2),
      r(p.channel, KIND.INITIATED, t0 + 10 * DAY + 100, 2),
      r(p.channel, KIND.SETTLED, t0 + 10 * DAY + 200, 2),
      r(p.channel, KIND.REVERSED, t0 + 10 * DAY + 300, 2),
    ];
    const res = await f.post({ items: signed.map((s) => s.item) });
    expect(res.status).to.equal(202);
    await f.svc.pipeline.batcher.seal();
    const auth = bearer(f.d, p.funder);
    await waitFor("the batch to be anchored", async () => {
      const s = await request(f.app).get(`/v1/receipts/${signed[0]!.digest}`).set("authorization", auth);
      return s.body.status === "anchored" || s.body.status === "final";
    });
    const bundle = (await request(f.app).get(`/v1/receipts/${signed[3]!.digest}/proof`).set("authorization", auth))
      .body;
    served = (await request(f.app).get(`/v1/loans/${loanId}/timeline`).set("authorization", auth)).body;
    const write = (name: string, v: unknown): void => {
      files[name] = path.join(dir, `${name}.json`);
      fs.writeFileSync(files[name], typeof v === "string" ? v : JSON.stringify(v, null, 2));
    };
    write("valid", bundle);
    write("timeline", served);
    write("amount", { ...bundle, receipt: { ...bundle.receipt, amount: "1" } });
    const proof = [...bundle.proof];
    proof[0] = "0x" + (proof[0] as string).slice(2).replace(/^./, (c) => (c === "0" ? "1" : "0"));
    write("proof", { ...bundle, proof });
    write("lookalike", (await lookalikeBundle(f.node.url)).bundle);
    write("notjson", "{ this is not JSON");
    write("nested", "[".repeat(200_000) + "]".repeat(200_000));
    write("control", { ...bundle, format: "repayproof/receipt-proof@1\u001b[2J<script>alert(1)</script>" });
    files.huge = path.join(dir, "huge.json");
    fs.writeFileSync(files.huge, Buffer.alloc(50 * 1024 * 1024, 0x20));
  });

  after(async function () {
    await browser?.close();
    await f?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function open(url: string): Promise<Page> {
    const page = await browser!.browser.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("dialog", (d) => {
      pageErrors.push(`a dialog opened: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(url);
    await page.waitForSelector("body[data-ready=true]");
    return page;
  }

  it("behavior: served at /, it pins the service's contracts and shows a valid bundle valid, every check passed", async function () {
    const page = await open(f.svc.url + "/");
    expect(await page.inputValue('[data-testid="rpc-url"]')).to.equal(f.node.url);
    expect(await page.getAttribute('[data-testid="pins"]', "data-pinned")).to.equal("true");
    const o = await outcome(page, [files.valid!]);
    expect(o.verdicts).to.deep.equal(["valid"]);
    expect(Object.values(o.checks[0]!)).to.have.length(9);
    expect(Object.values(o.checks[0]!).every((s) => s === "pass")).to.equal(true);
    await page.close();
  });

  it("error: a tampered amount is invalid with DIGEST failed; a broken proof with INCLUSION failed", async function () {
    const page = await open(f.svc.url + "/");
    const o = await outcome(page, [files.amount!, files.proof!]);
    expect(o.verdicts).to.deep.equal(["invalid", "invalid"]);
    expect(o.checks[0]!.DIGEST).to.equal("fail");
    expect(o.checks[1]!.DIGEST).to.equal("pass");
    expect(o.checks[1]!.INCLUSION).to.equal("fail");
    await page.close();
  });

  it("error: an unreachable RPC is an error, not a verdict on the bundle", async function () {
    const page = await open(f.svc.url + "/");
    await page.fill('[data-testid="rpc-url"]', "http://127.0.0.1:9");
    await page.dispatchEvent('[data-testid="rpc-url"]', "change");
    const o = await outcome(page, [files.valid!]);
    expect(o.verdicts).to.deep.equal(["error"]);
    await page.close();
  });

  it("behavior: a look-alike deployment passes only unpinned, said to be UNPINNED; pinned it fails UNTRUSTED_CONTRACTS", async function () {
    const unpinned = await open(pathToFileURL(WEB_PAGE).href + `?rpc=${encodeURIComponent(f.node.url)}`);
    expect(await unpinned.getAttribute('[data-testid="pins"]', "data-pinned")).to.equal("false");
    expect(await unpinned.textContent('[data-testid="pins"]')).to.match(/UNPINNED/);
    expect((await outcome(unpinned, [files.lookalike!])).verdicts).to.deep.equal(["valid"]);
    await unpinned.close();
    const pinned = await open(f.svc.url + "/");
    const o = await outcome(pinned, [files.lookalike!]);
    expect(o.verdicts).to.deep.equal(["invalid"]);
    expect(o.checks[0]!.CHAIN).to.equal("fail");
    expect(await pinned.textContent('[data-testid="check-CHAIN"]')).to.contain("UNTRUSTED_CONTRACTS");
    await pinned.close();
  });

  it("behavior: opened from disk with only an RPC URL, it verifies the timeline and draws every stage as evaluated", async function () {
    const page = await open(pathToFileURL(WEB_PAGE).href + `?rpc=${encodeURIComponent(f.node.url)}`);
    const o = await outcome(page, [files.timeline!]);
    expect(o.verdicts).to.deep.equal(["valid"]);
    const drawn = await page.$$eval('[data-testid="stage"]', (els) =>
      els.map((e) => ({
        installment: Number(e.getAttribute("data-installment")),
        stage: e.getAttribute("data-stage"),
        late: e.getAttribute("data-late") === "true",
        responsible: e.getAttribute("data-responsible") || null,
      })),
    );
    const expected = served.evaluation.installments.flatMap((i: Json) =>
      i.stages.map((s: Json) => ({
        installment: i.installment,
        stage: s.stage,
        late: s.late,
        responsible: s.responsible,
      })),
    );
    expect(drawn).to.deep.equal(expected);
    // The story: the borrower initiated a day late, the collector forwarded a day late; installment 2 was
    // settled then reversed, and nothing was forwarded: an open breach of the collector, and a reversal drawn.
    expect(drawn.filter((s) => s.late).map((s) => `${s.installment}:${s.stage}:${s.responsible}`)).to.deep.equal([
      `1:INITIATED:borrower`,
      `1:FORWARDED:${p.collector.address}`,
      `2:FORWARDED:${p.collector.address}`,
    ]);
    expect(
      await page.$$eval('[data-testid="mark"]', (els) => els.map((e) => e.getAttribute("data-kind"))),
    ).to.deep.equal(["REVERSED"]);
    if (process.env.DOCS_SCREENSHOT) {
      await page.setViewportSize({ width: 980, height: 900 });
      await (await page.$('[data-testid="result"]'))!.screenshot({ path: process.env.DOCS_SCREENSHOT });
    }
    await page.close();
  });

  it("error: files that are not proofs get a clear message naming the file, nothing thrown, nothing injected", async function () {
    const page = await open(f.svc.url + "/");
    const names = [files.notjson!, files.nested!, files.control!, files.huge!];
    const o = await outcome(page, names);
    expect(o.verdicts).to.deep.equal(["invalid", "invalid", "invalid", "invalid"]);
    for (const c of o.checks) expect(c.FORMAT).to.equal("fail");
    const shown = await page.$$eval('[data-testid="result"]', (els) => els.map((e) => e.getAttribute("data-file")));
    expect(shown).to.deep.equal(names.map((n) => path.basename(n)));
    expect(await page.$$("script")).to.have.length(1); // the page's own, and no other
    expect(await page.textContent("#results")).to.not.contain("\u001b");
    expect(pageErrors).to.deep.equal([]);
    await page.close();
  });

  it("behavior: Chinese labels at the switch, and a phone-width screen needs no sideways scrolling", async function () {
    const page = await open(f.svc.url + "/");
    await page.setViewportSize({ width: 360, height: 800 });
    await page.click('[data-testid="lang"]');
    expect(await page.textContent("h1")).to.contain("验证器");
    await outcome(page, [files.timeline!]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).to.be.at.most(0);
    await page.close();
  });
});
