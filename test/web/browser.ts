import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";

/** Where Debian's Chromium lives (`apt-get install chromium`); CHROMIUM overrides it. */
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/**
 * Headless Chromium driven by playwright-core, with the flags this machine needs (no sandbox as root, no
 * background networking: the network is closed) and a fresh profile; undefined when no Chromium is
 * installed — the caller says so in one line and skips, never silently.
 */
export async function launchBrowser(): Promise<{ browser: Browser; close(): Promise<void> } | undefined> {
  if (!fs.existsSync(CHROMIUM)) return undefined;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-chromium-"));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    // A fresh profile per launch (Playwright refuses --user-data-dir in args).
    env: { ...process.env, HOME: profile },
  });
  return {
    browser,
    async close() {
      await browser.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The one line printed when the browser tests cannot run here. */
export function skipLine(): string {
  return `      (browser tests skipped: no Chromium at ${CHROMIUM}; apt-get install chromium, or set CHROMIUM)`;
}
