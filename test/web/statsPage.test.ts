import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import request from "supertest";
import type { Browser } from "playwright-core";
import { STATS_WATERMARK } from "../../service/stats/StatsIndexer";
import { bearer, makeParties, boundId } from "../helpers/parties";
import { startRouteFixture, type RouteFixture } from "../helpers/routeFixture";
import { waitFor } from "../helpers/waitFor";
import { statsLoans, statsTerms } from "../service/stats/statsLoans";
import { launchBrowser, skipLine } from "./browser";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read field by field
type Json = any;

/**
 * A supervisor's path: a regulator opens the stats page of an agreement against a real service in Chromium,
 * sees the figures per stage and party that `GET /v1/stats` gives, follows a late count to the loans behind
 * it, downloads the CSV, and opens one of those loans' pages.
 */
describe("web app: the stats page (Chromium)", function () {
  this.timeout(300_000);
  let f: RouteFixture;
  const p = makeParties();
  let browser: { browser: Browser; close(): Promise<void> } | undefined;
  const agreementId = boundId(p);

  before(async function () {
    browser = await launchBrowser();
    if (!browser) {
      console.log(skipLine());
      this.skip();
    }
    f = await startRouteFixture({ batchIntervalMs: 3_600_000, regulators: [p.regulator.address.toLowerCase()] });
    const channel2 = makeParties().channel;
    await f.register(p, agreementId, 1, statsTerms(p, channel2));
    const { items } = statsLoans(f.d, p, channel2, agreementId, Math.floor(Date.now() / 1000), 12, agreementId);
    expect((await f.post({ items })).status).to.equal(202);
    await f.svc.pipeline.batcher.seal();
    const store = f.svc.deps.store;
    await waitFor("the batch anchored and in the stats index", async () => {
      const last = await store.lastBatch();
      return last !== undefined && (await store.getMeta<number>(STATS_WATERMARK)) === last.seq;
    });
  });

  after(async function () {
    await browser?.close();
    await f?.close();
  });

  it("behavior: shows the figures per stage and party, lists the loans behind a count, downloads the CSV, opens a loan", async function () {
    const auth = bearer(f.d, p.regulator);
    const api: Json = (await request(f.app).get(`/v1/stats?agreementId=${agreementId}`).set("authorization", auth))
      .body;
    expect(api.stages.length).to.be.greaterThan(3);
    const context = await browser!.browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const token = encodeURIComponent(auth.slice("Bearer ".length));
    await page.goto(`${f.svc.url}/stats?agreementId=${agreementId}#token=${token}`);
    await page.waitForSelector("#stats[data-done], [data-testid=stats-error]", { timeout: 60_000 });

    const rows = await page.$$eval("[data-testid=stats-row]", (trs) =>
      trs.map((tr) => ({
        stage: tr.getAttribute("data-stage"),
        responsible: tr.getAttribute("data-responsible"),
        cells: [...tr.querySelectorAll("td")].map((td) => td.textContent),
        share: tr.querySelector("[data-testid=late-bar]")?.getAttribute("data-share"),
      })),
    );
    expect(rows.map((r) => `${r.stage}|${r.responsible}`)).to.deep.equal(
      api.stages.map((s: Json) => `${s.stage}|${s.responsible ?? ""}`),
    );
    api.stages.forEach((s: Json, i: number) => {
      const r = rows[i]!;
      expect(r.cells.slice(2, 4)).to.deep.equal([String(s.judged), String(s.late)]);
      expect(Number(r.share)).to.equal(s.judged > 0 ? Math.round((s.late / s.judged) * 1000) / 10 : 0);
      expect(r.cells[8]).to.equal(String(s.openBreaches));
    });

    const lateRow = api.stages.findIndex((s: Json) => s.late > 0);
    expect(lateRow).to.be.at.least(0);
    await page.locator("[data-testid=stats-row]").nth(lateRow).locator("[data-testid=count-late]").click();
    await page.waitForSelector("[data-testid=stats-loan]");
    const listed = await page.$$eval("[data-testid=stats-loan]", (lis) =>
      lis.map((li) => [li.getAttribute("data-loan"), li.querySelector("a")?.getAttribute("href")]),
    );
    expect(listed.length).to.equal(api.stages[lateRow].late);
    for (const [loanId, href] of listed) expect(href).to.equal(`/loan/${loanId}#token=${token}`);

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=stats-csv]")]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-stats-")), "stats.csv");
    await download.saveAs(file);
    const csv = (await request(f.app).get(`/v1/stats?agreementId=${agreementId}&format=csv`).set("authorization", auth))
      .text;
    expect(fs.readFileSync(file, "utf8")).to.equal(csv);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });

    // A loan behind the figure opens its loan page with the reader's token (from the fragment), verified here.
    await page.click("[data-testid=stats-loan] a");
    await page.waitForSelector("#loan[data-done], [data-testid=loan-error]", { timeout: 60_000 });
    expect(await page.getAttribute("[data-testid=verdict]", "data-verdict")).to.equal("valid");
    expect(page.url()).to.contain(`/loan/${listed[0]![0]}`);
    await context.close();
  });
});
