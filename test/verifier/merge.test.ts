import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import request from "supertest";
import {
  evaluateTimeline,
  KIND,
  mergeTimeline,
  parseTimelineBundle,
  eventReceipt,
  type Terms,
} from "@repayproof/verifier";
import { main as runCli } from "@repayproof/verifier/cli";
import { waitFor } from "../helpers/waitFor";
import { bearer, makeParties, makeReceipt, boundId, randomId, signReceipt, termsOf } from "../helpers/parties";
import { startRouteFixture, type RouteFixture } from "../helpers/routeFixture";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON files are read field by field
type Json = any;

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const io = { out: (l: string) => (out += l + "\n"), err: (l: string) => (out += l + "\n") };
  return { code: await runCli(args, io), out };
}

describe("merge: the operator's timeline beside the bundles parties hold", function () {
  this.timeout(180_000);
  let f: RouteFixture;
  let dir: string;
  let served: Json;
  let withheldTimeline: Json;
  let forwardBundle: Json;
  let forwardDigest: string;
  let otherLoanBundle: Json;
  let provider: JsonRpcProvider;

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-merge-"));
    const p = makeParties();
    f = await startRouteFixture({ batchIntervalMs: 3_600_000 });
    provider = new JsonRpcProvider(f.node.url, undefined, { cacheTimeout: -1 });
    const agreementId = boundId(p);
    const terms: Terms = { ...termsOf(p), forwardSecs: 3600, reportSecs: 30 * 86400 };
    await f.register(p, agreementId, 1, terms);
    const loanId = randomId();
    const t0 = Math.floor(Date.now() / 1000) - 86400;
    const r = (who: (typeof p)[keyof typeof p], kind: number, at: number, loan = loanId) =>
      signReceipt(f.d, makeReceipt(agreementId, who, kind, { loanId: loan, occurredAt: at }), who);
    const signed = [
      r(p.platform, KIND.DUE, t0),
      r(p.channel, KIND.SETTLED, t0 + 600),
      r(p.collector, KIND.FORWARDED, t0 + 1200), // on time: the collector's own proof
      r(p.platform, KIND.DUE, t0, randomId()),
    ];
    expect((await f.post({ items: signed.map((s) => s.item) })).status).to.equal(202);
    await f.svc.pipeline.batcher.seal();
    const auth = bearer(f.d, p.funder);
    const get = (url: string) => request(f.app).get(url).set("authorization", auth);
    await waitFor("anchored", async () => (await get(`/v1/receipts/${signed[2]!.digest}/proof`)).status === 200);
    served = (await get(`/v1/loans/${loanId}/timeline`)).body;
    forwardDigest = signed[2]!.digest;
    forwardBundle = (await get(`/v1/receipts/${forwardDigest}/proof`)).body;
    otherLoanBundle = (await get(`/v1/receipts/${signed[3]!.digest}/proof`)).body;
    // An operator framing the collector: the FORWARDED receipt left out, the evaluation made to fit.
    const t = parseTimelineBundle(served);
    const kept = t.events.filter((e) => eventReceipt(e).digest !== forwardDigest);
    withheldTimeline = {
      ...served,
      events: served.events.filter((e: Json) => e.digest !== forwardDigest),
      evaluation: evaluateTimeline({
        events: kept.map((e) => ({
          digest: eventReceipt(e).digest,
          receipt: eventReceipt(e).receipt,
          anchoredAt: e.kind === "anchored" ? served.evaluation.asOf : null,
        })),
        versions: t.agreement.versions,
        now: served.evaluation.asOf,
        includePending: true,
      }),
    };
    for (const [name, v] of Object.entries({ served, withheldTimeline, forwardBundle, otherLoanBundle })) {
      fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(v));
    }
  });

  after(async function () {
    provider?.destroy();
    await f?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("behavior: a receipt the timeline lacked is ADDED, named as withheld, and the loan re-evaluated with it", async function () {
    const m = await mergeTimeline(withheldTimeline, [forwardBundle, otherLoanBundle], { provider });
    // Self-consistent, yet incomplete: every check passes but COMPLETE, which names the withheld receipt (v0.2).
    const failing = m.timeline.checks.filter((c) => c.status !== "pass");
    expect(
      failing.map((c) => [c.check, c.code]),
      JSON.stringify(m.timeline.checks),
    ).to.deep.equal([["COMPLETE", "COMPLETE_MISSING"]]);
    expect(failing[0]!.message).to.contain(forwardDigest);
    expect(m.bundles.map((b) => b.status)).to.deep.equal(["added", "foreign"]);
    expect(m.withheld).to.deep.equal([forwardDigest]);
    expect(m.valid).to.equal(false);
    const forwarded = (e: Json) => e.installments[0].stages.find((s: Json) => s.stage === "FORWARDED");
    expect(forwarded(withheldTimeline.evaluation).at).to.equal(null);
    expect(forwarded(m.evaluation).at).to.equal(forwardBundle.receipt.occurredAt);
    expect(m.differences.some((d) => d.path.includes("stages[3]"))).to.equal(true);
  });

  it("behavior: the complete timeline with its own receipts merges to itself: exit 0", async function () {
    const r = await cli([
      "merge",
      path.join(dir, "served.json"),
      path.join(dir, "forwardBundle.json"),
      "--rpc",
      f.node.url,
    ]);
    expect(r.code, r.out).to.equal(0);
    expect(r.out).to.contain("= present");
  });

  it("behavior: the CLI says what was withheld, exits 1, and writes a merged timeline that verify-timeline accepts", async function () {
    const out = path.join(dir, "merged.json");
    const r = await cli([
      "merge",
      path.join(dir, "withheldTimeline.json"),
      path.join(dir, "forwardBundle.json"),
      path.join(dir, "otherLoanBundle.json"),
      `--rpc=${f.node.url}`,
      "--out",
      out,
    ]);
    expect(r.code, r.out).to.equal(1);
    expect(r.out).to.contain("+ ADDED");
    expect(r.out).to.contain("· foreign");
    expect(r.out).to.match(/lacked 1 genuine receipt/);
    const v = await cli(["verify-timeline", out, "--rpc", f.node.url]);
    expect(v.code, v.out).to.equal(0);
    const merged = JSON.parse(fs.readFileSync(out, "utf8")) as Json;
    expect(merged.events.map((e: Json) => e.digest)).to.include(forwardDigest);
  });

  it("error: a tampered bundle is invalid and left out; usage errors exit 2", async function () {
    const tampered = path.join(dir, "tampered.json");
    fs.writeFileSync(
      tampered,
      JSON.stringify({ ...forwardBundle, receipt: { ...forwardBundle.receipt, amount: "7" } }),
    );
    const r = await cli(["merge", path.join(dir, "served.json"), tampered, "--rpc", f.node.url]);
    expect(r.code, r.out).to.equal(1);
    expect(r.out).to.contain("✗ invalid");
    expect((await cli(["merge", path.join(dir, "served.json"), "--rpc", f.node.url])).code).to.equal(2);
    expect(
      (await cli(["merge", path.join(dir, "served.json"), tampered, "--rpc", f.node.url, "--bogus"])).code,
    ).to.equal(2);
  });
});
