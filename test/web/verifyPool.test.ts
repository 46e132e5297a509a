import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { expect } from "chai";
import type { Page } from "playwright-core";
import { WEB_PAGE } from "../../service/routes/webRoutes";
import { startHardhatNode, type HardhatNode } from "../../scripts/devnet";
import { launchBrowser, skipLine } from "./browser";
import { lookalikeBundle } from "./lookalike";

/** The results the page draws for `files`, and how many workers it has (started when it opened, kept after). */
async function results(page: Page, files: string[]): Promise<{ html: string; workers: number }> {
  await page.setInputFiles('[data-testid="bundle-input"]', files);
  await page.waitForSelector("#results[data-done]", { timeout: 120_000 });
  return { html: await page.innerHTML("#results"), workers: page.workers().length };
}

describe("web app: verification in workers (Chromium)", function () {
  this.timeout(240_000);
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let node: HardhatNode | undefined;
  let dir: string;
  let url: string;
  const files: string[] = [];

  before(async function () {
    browser = await launchBrowser();
    if (!browser) {
      console.log(skipLine());
      this.skip();
    }
    node = await startHardhatNode();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-web-pool-"));
    const { bundle, anchor } = await lookalikeBundle(node.url);
    const write = (name: string, v: unknown): void => {
      files.push(path.join(dir, `${name}.json`));
      fs.writeFileSync(files.at(-1) as string, typeof v === "string" ? v : JSON.stringify(v));
    };
    // More files than one message to a worker holds, valid and invalid ones mixed, and the unreadable kinds.
    for (let i = 0; i < 40; i++) write(`valid-${i}`, bundle);
    write("amount", { ...bundle, receipt: { ...bundle.receipt, amount: "1" } });
    write("unknown", { ...bundle, format: "repayproof/other@1" });
    write("notjson", "{ not JSON");
    files.push(path.join(dir, "huge.json"));
    fs.writeFileSync(files.at(-1) as string, Buffer.alloc(20 * 1024 * 1024, 0x20));
    url = `${pathToFileURL(WEB_PAGE).href}?rpc=${encodeURIComponent(node.url)}&anchor=${anchor}`;
  });

  after(async function () {
    await browser?.close();
    await node?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function open(workers: number): Promise<Page> {
    const page = await browser!.browser.newPage();
    await page.goto(`${url}&workers=${workers}`);
    await page.waitForSelector("body[data-ready=true]");
    return page;
  }

  it("behavior: opened from disk, workers draw exactly what the page's own thread draws, in the files' order", async function () {
    const onPage = await open(0);
    const alone = await results(onPage, files);
    const inWorkers = await open(2);
    const pooled = await results(inWorkers, files);
    expect(alone.workers).to.equal(0);
    expect(pooled.workers).to.equal(2);
    expect(pooled.html).to.equal(alone.html);
    const verdicts = await inWorkers.$$eval('[data-testid="verdict"]', (els) =>
      els.map((e) => e.getAttribute("data-verdict")),
    );
    expect(verdicts.filter((v) => v === "valid")).to.have.length(40);
    expect(verdicts).to.have.length(files.length);
    await onPage.close();
    await inWorkers.close();
  });
});
