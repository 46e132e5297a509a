import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import request from "supertest";
import type { Browser, Page } from "playwright-core";
import { disclosureHash, KIND } from "@repayproof/verifier";
import { main as runCli } from "@repayproof/verifier/cli";
import { installPackedVerifier } from "../package/packedVerifier";
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
import { waitFor } from "../helpers/waitFor";
import { launchBrowser, skipLine } from "./browser";

const DAY = 86_400;

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const io = { out: (l: string) => (out += l + "\n"), err: (l: string) => (out += l + "\n"), env: {} };
  return { code: await runCli(args, io), out };
}

/**
 * The borrower's path, as the access issue asks: the platform mints a share link; someone with no key opens
 * the loan page in Chromium, sees the timeline verified against the chain and who lends, downloads every
 * file, which the packaged CLI verifies elsewhere; once revoked, the same link is refused.
 */
describe("web app: the loan page a share link opens (Chromium)", function () {
  this.timeout(300_000);
  let f: RouteFixture;
  const p = makeParties();
  let browser: { browser: Browser; close(): Promise<void> } | undefined;
  let dir: string;
  let link: string;
  let shareText: string;
  const loanId = randomId();
  const notice = Buffer.from("借款须知：实际出借方为资金方 A；仅可通过渠道 1 还款。\nThe lender is Funder A.\n");

  before(async function () {
    browser = await launchBrowser();
    if (!browser) {
      console.log(skipLine());
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-loanpage-"));
    f = await startRouteFixture({ batchIntervalMs: 3_600_000 });
    const agreementId = boundId(p);
    await f.register(p, agreementId, 1, {
      ...termsOf(p),
      reportSecs: 30 * DAY,
      disclosureHash: disclosureHash(notice),
    });
    const t0 = Math.floor(Date.now() / 1000) - 5 * DAY;
    const r = (who: Parties[keyof Parties], kind: number, at: number) =>
      signReceipt(f.d, makeReceipt(agreementId, who, kind, { loanId, occurredAt: at }), who);
    const signed = [
      r(p.platform, KIND.DUE, t0),
      r(p.channel, KIND.SETTLED, t0 + 3600),
      r(p.collector, KIND.FORWARDED, t0 + 3 * DAY),
      r(p.funder, KIND.CONFIRMED, t0 + 3 * DAY + 600),
    ];
    expect((await f.post({ items: signed.map((s) => s.item) })).status).to.equal(202);
    await f.svc.pipeline.batcher.seal();
    await waitFor("anchored", async () => {
      const res = await request(f.app)
        .get(`/v1/receipts/${signed[0]!.digest}`)
        .set("authorization", bearer(f.d, p.funder));
      return res.body.status === "anchored" || res.body.status === "final";
    });
    fs.writeFileSync(path.join(dir, "platform.key"), p.platform.privateKey);
    fs.writeFileSync(path.join(dir, "notice.txt"), notice);
    fs.writeFileSync(path.join(dir, "fake.txt"), "The lender is the platform.\n");
    // The platform mints the link, as a user would: the CLI, with the service's domain from /v1/info.
    const minted = await cli([
      "share",
      "--key-file",
      path.join(dir, "platform.key"),
      "--agreement",
      agreementId,
      "--loan",
      loanId,
      "--days",
      "30",
      "--url",
      f.svc.url,
    ]);
    expect(minted.code, minted.out).to.equal(0);
    link = minted.out.split("\n")[0] as string;
    shareText = new URL(link).searchParams.get("share") as string;
  });

  after(async function () {
    await browser?.close();
    await f?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function openLoanPage(): Promise<Page> {
    const context = await browser!.browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(link);
    await page.waitForSelector("#loan[data-done], [data-testid=loan-error]", { timeout: 60_000 });
    return page;
  }

  it("behavior: with no key, the page shows the loan verified, who lends, and every stage drawn", async function () {
    const page = await openLoanPage();
    expect(await page.getAttribute('[data-testid="verdict"]', "data-verdict")).to.equal("valid");
    expect(await page.textContent('[data-testid="party-funder"]')).to.contain(p.funder.address);
    expect(await page.textContent('[data-testid="party-collector"]')).to.contain(p.collector.address);
    expect(await page.textContent('[data-testid="party-channels"]')).to.contain(p.channel.address);
    const late = await page.$$eval('[data-testid="stage"][data-late="true"]', (els) =>
      els.map((e) => `${e.getAttribute("data-stage")}:${e.getAttribute("data-responsible")}`),
    );
    expect(late).to.deep.equal([`FORWARDED:${p.collector.address}`]);
    // The service's timeline proves it left nothing out, and the page says so in plain words.
    const complete = page.locator('[data-testid="check-COMPLETE"]');
    expect(await complete.getAttribute("data-status")).to.equal("pass");
    expect(await complete.textContent()).to.contain("Nothing is left out");
    await page.context().close();
  });

  it("behavior: the disclosure check says which document every party signed", async function () {
    const page = await openLoanPage();
    await page.setInputFiles('[data-testid="disclosure-input"]', path.join(dir, "notice.txt"));
    await page.waitForSelector('[data-testid="disclosure-result"][data-match]');
    expect(await page.getAttribute('[data-testid="disclosure-result"]', "data-match")).to.equal("true");
    await page.setInputFiles('[data-testid="disclosure-input"]', path.join(dir, "fake.txt"));
    await page.waitForSelector('[data-testid="disclosure-result"][data-match="false"]');
    await page.context().close();
  });

  it("behavior: one click downloads the timeline and every bundle, which the packaged CLI verifies elsewhere", async function () {
    const page = await openLoanPage();
    const [download] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="download"]')]);
    const zipFile = path.join(dir, "loan.zip");
    await download.saveAs(zipFile);
    await page.context().close();
    const out = path.join(dir, "unzipped");
    execFileSync("python3", ["-m", "zipfile", "-e", zipFile, out]);
    const bundles = fs.readdirSync(path.join(out, "bundles"));
    expect(bundles).to.have.length(4);
    installPackedVerifier(path.join(dir, "pkg"));
    const app = path.join(dir, "pkg", "app");
    const args = ["--no", "repayproof"];
    const verify = execFileSync(
      "npx",
      [
        ...args,
        "verify",
        path.join(out, "bundles"),
        "--rpc",
        f.node.url,
        "--anchor",
        f.d.anchor,
        "--registry",
        f.d.registry,
      ],
      { cwd: app, encoding: "utf8" },
    );
    expect(verify).to.match(/4 bundles: 4 valid/);
    const timeline = execFileSync(
      "npx",
      [...args, "verify-timeline", path.join(out, "timeline.json"), "--rpc", f.node.url],
      { cwd: app, encoding: "utf8" },
    );
    expect(timeline).to.match(/^✓ valid/);
  });

  it("behavior: after the platform revokes it, the same link is refused", async function () {
    const res = await request(f.app)
      .post("/v1/shares/revoke")
      .set("authorization", bearer(f.d, p.platform))
      .send({ share: shareText });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const page = await openLoanPage();
    expect(await page.getAttribute('[data-testid="loan-error"]', "data-code")).to.equal("UNAUTHENTICATED");
    await page.context().close();
  });
});
