import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import pino from "pino";
import { Wallet } from "ethers";
import { KIND, domainSeparator, receiptDomain } from "@repayproof/verifier";
import { WorkerPool } from "../../../service/ingest/WorkerPool";
import { preprocess, type PreprocessContext } from "../../../service/ingest/preprocess";
import type { Deployment } from "../../../scripts/lib/deployContracts";
import { makeParties, makeReceipt, randomId, signReceipt } from "../../helpers/parties";
import { tempDir, type TempDir } from "../../helpers/tempDir";
import { waitFor } from "../../helpers/waitFor";

// Only the receipt domain matters to preprocessing: no chain is needed.
const D = { chainId: 31337, anchor: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512" } as Deployment;
const CTX: PreprocessContext = { domainSeparator: domainSeparator(receiptDomain(D.chainId, D.anchor)) };
const silent = pino({ level: "silent" });

/** Request bodies of every shape preprocessing judges: good, forged, malformed, batched. */
function bodies(): Buffer[] {
  const p = makeParties();
  const agreementId = randomId();
  const good = (w: Wallet, kind: number) => signReceipt(D, makeReceipt(agreementId, w, kind), w).item;
  const forged = signReceipt(D, makeReceipt(agreementId, p.channel, KIND.SETTLED), p.outsider).item;
  const json = [
    good(p.platform, KIND.DUE),
    { items: [good(p.channel, KIND.SETTLED), forged, good(p.collector, KIND.FORWARDED), { receipt: 1 }] },
    { ...good(p.funder, KIND.CONFIRMED), extra: true },
    { items: [] },
    [1, 2],
    forged,
    { ...good(p.platform, KIND.DUE), signature: "0xnot-hex" },
  ].map((b) => JSON.stringify(b));
  return [...json, "{not json", ""].map((s) => Buffer.from(s));
}

/**
 * A preload for worker threads (set through NODE_OPTIONS, which Node applies to every new worker): it notes
 * each worker's start in `starts`, and `mode` decides what else it does — "die-on-poison" ends the worker
 * when a job's body holds POISON; "die-at-start" throws before the worker can run anything.
 */
function writePreload(dir: string, mode: "die-on-poison" | "die-at-start"): { file: string; starts: () => number } {
  const starts = path.join(dir, `starts-${mode}`);
  const file = path.join(dir, `${mode}.cjs`);
  fs.writeFileSync(
    file,
    `const { isMainThread, parentPort, threadId } = require("node:worker_threads");
if (!isMainThread) {
  require("node:fs").appendFileSync(${JSON.stringify(starts)}, threadId + "\\n");
  ${
    mode === "die-at-start"
      ? `throw new Error("this worker cannot start");`
      : `parentPort.on("message", (m) => { if (m && m.body && Buffer.from(m.body).includes("POISON")) process.exit(3); });`
  }
}
`,
  );
  return {
    file,
    starts: () => (fs.existsSync(starts) ? fs.readFileSync(starts, "utf8").trim().split("\n").length : 0),
  };
}

describe("WorkerPool (real worker threads running the built ingest worker)", function () {
  this.timeout(60_000);
  let tmp: TempDir;
  let pool: WorkerPool | undefined;
  const nodeOptions = process.env.NODE_OPTIONS;

  beforeEach(function () {
    tmp = tempDir();
  });

  afterEach(async function () {
    if (nodeOptions === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = nodeOptions;
    await pool?.close();
    pool = undefined;
    tmp.remove();
  });

  /** New workers load `file` first (this process's env is what a new worker thread reads). */
  const preload = (file: string): void => {
    process.env.NODE_OPTIONS = `${nodeOptions ?? ""} --require ${file}`.trim();
  };

  it("behavior: results equal inline preprocess, for every kind of body, across two workers", async function () {
    pool = new WorkerPool(CTX, 2, silent);
    expect(pool.size).to.equal(2);
    const all = [...bodies(), ...bodies(), ...bodies()];
    const results = await Promise.all(all.map((b) => pool!.run(b)));
    results.forEach((r, i) => expect(r, `body ${i}`).to.deep.equal(preprocess(all[i]!, CTX)));
    // Not vacuous: accepted items, refused items and whole-request errors all came back.
    const flat = JSON.stringify(results);
    expect(flat).to.include('"digest"').and.include("BAD_SIGNATURE").and.include("INVALID_BODY");
    expect(flat, "a signature not the attester's by ECDSA is left to a wallet check").to.include("walletSignature");
  });

  it("behavior: a worker that dies fails its jobs and is replaced by a new one", async function () {
    const { file, starts } = writePreload(tmp.dir, "die-on-poison");
    preload(file);
    pool = new WorkerPool(CTX, 1, silent);
    await waitFor("the worker to start", () => starts() === 1, 10_000, 20);
    const [body] = bodies();
    // Both jobs go to the only worker; the first kills it, so the second never runs there.
    const poisoned = pool.run(Buffer.from('{"POISON":1}'));
    const queued = pool.run(body!);
    const outcomes = await Promise.allSettled([poisoned, queued]);
    for (const o of outcomes) {
      expect(o.status).to.equal("rejected");
      expect(String((o as PromiseRejectedResult).reason)).to.match(/ingest worker exited with code 3/);
    }
    await waitFor("a replacement worker", () => starts() === 2, 10_000, 20);
    expect(pool.size).to.equal(1);
    expect(await pool.run(body!), "the replacement works").to.deep.equal(preprocess(body!, CTX));
  });

  it("behavior: workers that die at start three times give way to preprocessing inline", async function () {
    const { file, starts } = writePreload(tmp.dir, "die-at-start");
    preload(file);
    const logged: string[] = [];
    const log = pino({ level: "error" }, { write: (line: string) => void logged.push(line) });
    pool = new WorkerPool(CTX, 2, log);
    await waitFor("the pool to give up on workers", () => pool!.size === 0, 20_000, 20);
    expect(starts(), "workers started (each died at once)").to.be.at.least(3);
    expect(
      logged.map((l) => (JSON.parse(l) as { level: number }).level),
      "the operator is told",
    ).to.include(50);
    const before = starts();
    for (const b of bodies()) expect(await pool.run(b)).to.deep.equal(preprocess(b, CTX));
    expect(starts(), "no further worker was started").to.equal(before);
  });
});
