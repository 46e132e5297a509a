import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Contract, JsonRpcProvider, Wallet, computeAddress, hexlify, type InterfaceAbi } from "ethers";
import { AGREEMENT_TYPES, agreementIdOf, ZERO_ADDRESS, registryDomain } from "@repayproof/verifier";
import { HARDHAT_KEY_0, projectRoot } from "../../service/config";
import { deployContracts, readArtifact, type Deployment } from "../lib/deployContracts";
import { figure, ratioRuns, seconds, settle } from "./measure";
import { log, type BenchOptions } from "./options";
import { startHardhatNode } from "./processes";
import type { Row } from "./report";
import { bundlesOf, bytes32, randomKeys, signReceipts } from "./signedReceipts";

const ROOT = projectRoot();
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** A real deployment on a fresh node, an agreement whose channels sign, and `n` bundles of one anchored batch. */
export async function anchoredBundles(url: string, n: number): Promise<{ d: Deployment; dir: string }> {
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
  try {
    const admin = new Wallet(HARDHAT_KEY_0, provider);
    const d = await deployContracts(admin);
    const parties = [0, 1, 2].map(() => new Wallet(bytes32()));
    const [platform, funder, collector] = parties as [Wallet, Wallet, Wallet];
    const keys = randomKeys(4);
    const terms = {
      platform: platform.address,
      funder: funder.address,
      collector: collector.address,
      guarantor: ZERO_ADDRESS,
      channels: keys.map((k) => computeAddress(hexlify(k))),
      graceSecs: 86_400,
      settleSecs: 86_400,
      forwardSecs: 86_400,
      confirmSecs: 86_400,
      reportSecs: 86_400,
      disclosureHash: bytes32(),
    };
    const salt = bytes32();
    const agreementId = agreementIdOf(terms.platform, terms.funder, salt);
    const value = { agreementId, version: 1, terms };
    const domain = registryDomain(d.chainId, d.registry);
    const sigs = await Promise.all(parties.map((w) => w.signTypedData(domain, AGREEMENT_TYPES, value)));
    const registry = new Contract(d.registry, readArtifact("AgreementRegistry").abi as InterfaceAbi, admin);
    await (await registry.getFunction("register")(agreementId, salt, terms, [...sigs, "0x"])).wait();
    const signed = signReceipts(n, d.anchor, keys, agreementId, 0n, Math.floor(Date.now() / 1000) - 3600, d.chainId);
    const bundles = bundlesOf(signed, d.anchor, d.registry);
    const anchor = new Contract(d.anchor, readArtifact("ReceiptAnchor").abi as InterfaceAbi, admin);
    const first = bundles[0]!;
    const tx = await (
      await anchor.getFunction("anchorBatch")(first.batch.stream, 0, first.batch.root, n, bytes32())
    ).wait();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-bench-browser-"));
    bundles.forEach((b, i) => {
      const real = { ...b, batch: { ...b.batch, txHash: tx.hash, blockNumber: tx.blockNumber } };
      fs.writeFileSync(path.join(dir, `${String(i).padStart(5, "0")}.json`), JSON.stringify(real));
    });
    return { d, dir };
  } finally {
    provider.destroy();
  }
}

/** The packaged CLI over the directory, as a user runs it (process start included); exit 0 required. */
function cliRun(dir: string, url: string, d: Deployment, pureJs = false): Promise<void> {
  return new Promise((resolve, reject) => {
    const bin = path.join(ROOT, "verifier", "bin", "repayproof.js");
    const args = [bin, "verify", dir, "--rpc", url, "--anchor", d.anchor, "--registry", d.registry];
    const env = { ...process.env, ...(pureJs ? { REPAYPROOF_CRYPTO: "js" } : {}) };
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"], env });
    let err = "";
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`bench: the CLI exited ${code}: ${err}`))));
  });
}

/**
 * The web page verifying 1,000 receipt bundles in headless Chromium (the single-file build, opened from disk,
 * pinned to the deployment) against the packaged CLI on the same files, same node, run by run.
 */
export async function browserSuite(opts: BenchOptions): Promise<Row[]> {
  const n = opts.quick ? 100 : 1000;
  const size = `${n.toLocaleString("en-US")} receipt bundles`;
  const page = path.join(ROOT, "web", "dist", "repayproof.html");
  if (!fs.existsSync(CHROMIUM) || !fs.existsSync(page)) {
    const why = !fs.existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM}` : "the web page is not built";
    return [
      { suite: "verification in the browser", size, ours: { label: "—" }, reference: { label: "—" }, notMeasured: why },
    ];
  }
  const { chromium } = await import("playwright-core");
  const node = await startHardhatNode();
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
  });
  let dir: string | undefined;
  try {
    const made = await anchoredBundles(node.url, n);
    dir = made.dir;
    const d = made.d;
    const files = fs.readdirSync(dir).map((f) => path.join(dir as string, f));
    const url = `${pathToFileURL(page).href}?rpc=${encodeURIComponent(node.url)}&anchor=${d.anchor}&registry=${d.registry}`;
    const ours: number[] = [];
    const cli: number[] = [];
    const cliJs: number[] = [];
    for (let r = 0; r < opts.runs; r++) {
      await settle();
      cli.push(await seconds(() => cliRun(dir as string, node.url, d)));
      await settle();
      cliJs.push(await seconds(() => cliRun(dir as string, node.url, d, true)));
      const tab = await browser.newPage();
      await tab.goto(url);
      await tab.waitForSelector("body[data-ready=true]");
      await settle();
      ours.push(
        await seconds(async () => {
          await tab.setInputFiles('[data-testid="bundle-input"]', files);
          await tab.waitForSelector("#results[data-done]", { timeout: 600_000 });
        }),
      );
      const valid = await tab.$$eval('[data-verdict="valid"]', (els) => els.length);
      await tab.close();
      if (valid !== n) throw new Error(`bench: the page found ${valid} of ${n} bundles valid`);
      log(
        `browser run ${r + 1}: page ${ours.at(-1)!.toFixed(2)} s, CLI ${cli.at(-1)!.toFixed(2)} s, CLI pure JS ${cliJs.at(-1)!.toFixed(2)} s for ${n} bundles`,
      );
    }
    const page_ = figure(ours, "s");
    const cli_ = figure(cli, "s");
    const cliJs_ = figure(cliJs, "s");
    return [
      {
        suite: "verification in the browser",
        size,
        ours: { label: "web page (headless Chromium, from disk)", figure: page_ },
        reference: { label: "npx repayproof verify <dir> (packaged CLI)", figure: cli_ },
        ratio: { runs: ratioRuns(page_, cli_), label: "× the CLI's time" },
        goal: { text: "≤ 3× the CLI's time", target: 3, direction: "atMost" },
        note: "both pinned to the deployment, against the same local Hardhat node and the same files (one anchored batch); the page's time runs from handing it the files to every verdict drawn, the CLI's includes its process start; the page verifies in Web Workers (one a core but the page's own, at least one; each reads its files and has its own RPC connection), the CLI 32 files at a time on one thread. The page runs pure JavaScript (@noble/curves, ~1.6 ms a recovery here); the CLI uses libsecp256k1 when the optional addon loads, so the next row compares like with like",
      },
      {
        suite: "verification in the browser vs pure JS",
        size,
        ours: { label: "web page (headless Chromium, from disk)", figure: page_ },
        reference: { label: "the CLI on pure JS (REPAYPROOF_CRYPTO=js)", figure: cliJs_ },
        ratio: { runs: ratioRuns(page_, cliJs_), label: "× the pure-JS CLI's time" },
        note: "the same files and node; the pure-JS backends (@noble/curves, js-sha3) are what the package runs where libsecp256k1 is not installed",
      },
    ];
  } finally {
    await browser.close();
    await node.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}
