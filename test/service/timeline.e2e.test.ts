import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { KIND, type Terms } from "@repayproof/verifier";
import { main as runCli, type Io as CliIo } from "@repayproof/verifier/cli";
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
import { startSpawnFixture, type Json, type SpawnFixture } from "../helpers/spawnFixture";
import { waitFor } from "../helpers/waitFor";

/** Runs the CLI in this process (same code path, no process start-up) and collects its output. */
async function cliInProcess(args: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const io: CliIo = { out: (l) => (out += l + "\n"), err: (l) => (out += l + "\n") };
  return { code: await runCli(args, io), out };
}

describe("timeline end to end: a late forward, served and re-verified from the chain alone", function () {
  let f: SpawnFixture;
  const p = makeParties();
  let timeline: Json;
  let file: string;
  let fileV2: string;
  const agreementId = boundId(p);
  const loanId = randomId();
  const loanIdV2 = randomId();
  const terms = (q: Parties): Terms => ({ ...termsOf(q), forwardSecs: 60, settleSecs: 120 });
  // Occurred times relative to now, well inside reportSecs (3600) of the anchors, so nothing is backdated.
  const base = Math.floor(Date.now() / 1000) - 2000;
  const FORWARD_LATE_BY = 500;

  before(async function () {
    f = await startSpawnFixture({ env: { BATCH_INTERVAL_MS: "300", BATCH_MAX: "50" } });
  });

  after(async function () {
    await f?.close();
  });

  /** Submits DUE … CONFIRMED of installment 1 at the given times and returns the timeline once all are anchored. */
  async function anchoredTimeline(agreement: string, loan: string, times: number[]): Promise<Json> {
    const who = [p.platform, p.channel, p.channel, p.collector, p.funder];
    const signed = [KIND.DUE, KIND.INITIATED, KIND.SETTLED, KIND.FORWARDED, KIND.CONFIRMED].map((kind, i) =>
      signReceipt(f.d, makeReceipt(agreement, who[i]!, kind, { loanId: loan, occurredAt: times[i]! }), who[i]!),
    );
    expect((await f.post("/v1/receipts", { items: signed.map((x) => x.item) })).status).to.equal(202);
    const auth = bearer(f.d, p.funder);
    let body: Json;
    await waitFor("every event anchored", async () => {
      const r = await f.get(`/v1/loans/${loan}/timeline`, auth);
      body = r.body;
      return r.status === 200 && body.events.every((e: Json) => e.format === "repayproof/receipt-proof@1");
    });
    return body;
  }

  it("behavior: the timeline names the late collector, the seconds late and the agreement version", async function () {
    await f.register(p, agreementId, 1, terms(p));

    const at = (kind: number): number =>
      ({
        [KIND.DUE]: base,
        [KIND.INITIATED]: base + 100,
        [KIND.SETTLED]: base + 200,
        [KIND.FORWARDED]: base + 200 + 60 + FORWARD_LATE_BY,
        [KIND.CONFIRMED]: base + 800,
      })[kind] as number;
    timeline = await anchoredTimeline(
      agreementId,
      loanId,
      [KIND.DUE, KIND.INITIATED, KIND.SETTLED, KIND.FORWARDED, KIND.CONFIRMED].map(at),
    );
    expect(timeline.format).to.equal("repayproof/timeline@1");
    expect(timeline.loanId).to.equal(loanId);
    expect(timeline.agreement.id).to.equal(agreementId);
    expect(timeline.events).to.have.length(5);
    const [installment] = timeline.evaluation.installments;
    expect(installment.installment).to.equal(1);
    expect(installment.status).to.equal("paid");
    const forwarded = installment.stages.find((s: Json) => s.stage === "FORWARDED");
    expect(forwarded).to.include({
      late: true,
      lateBySecs: FORWARD_LATE_BY,
      responsible: p.collector.address,
      version: 1,
      at: at(KIND.FORWARDED),
      deadline: at(KIND.SETTLED) + 60,
    });
    expect(installment.stages.filter((s: Json) => s.late).map((s: Json) => s.stage)).to.deep.equal(["FORWARDED"]);
    file = path.join(f.dir, "timeline.json");
    fs.writeFileSync(file, JSON.stringify(timeline, null, 2));
  });

  it("behavior: after an amendment mid-loan, the forward is judged under version 2 and the timeline says so", async function () {
    // v1 gives the collector a day; v2 (effective at its block) 2 s. The SETTLED falls after v2 took effect.
    const amended = boundId(p);
    await f.register(p, amended, 1, termsOf(p));
    const v2 = { ...termsOf(p), forwardSecs: 2 };
    await f.register(p, amended, 2, v2);
    const agreement = await f.get(`/v1/agreements/${amended}`, bearer(f.d, p.funder));
    const effectiveAt: number = agreement.body.versions[1].effectiveAt;
    const LATE = 5;
    const times = [effectiveAt - 1000, effectiveAt - 900, effectiveAt + 1, effectiveAt + 1 + 2 + LATE, effectiveAt + 9];
    // Receipts are about the past: wait until the last of them has happened.
    await waitFor("the forward's time to pass", async () => Date.now() / 1000 > effectiveAt + 10, 30_000, 250);
    const t = await anchoredTimeline(amended, loanIdV2, times);
    expect(t.agreement.versions.map((v: Json) => [v.version, v.terms.forwardSecs])).to.deep.equal([
      [1, 86400],
      [2, 2],
    ]);
    const forwarded = t.evaluation.installments[0].stages[3];
    expect(forwarded).to.include({
      stage: "FORWARDED",
      late: true,
      lateBySecs: LATE,
      responsible: p.collector.address,
      version: 2,
    });
    fileV2 = path.join(f.dir, "timeline-v2.json");
    fs.writeFileSync(fileV2, JSON.stringify(t));
  });

  it("behavior: verify-timeline reaches the same answer from the chain alone (service stopped): exit 0", async function () {
    expect(file, "needs the timeline of the previous test").to.be.a("string");
    expect((await f.stop()).code, "a clean stop").to.equal(0);
    const amended = await cliInProcess(["verify-timeline", fileV2, "--rpc", f.node.url]);
    expect(amended.code, amended.out).to.equal(0);
    // For people: the loan drawn, the late forward named with its time late and the collector's role.
    const forwardLine = amended.out.split("\n").find((l) => /^\s+FORWARDED\s+\[/.test(l));
    expect(forwardLine, amended.out).to.match(/LATE by .* — collector 0x/);
    expect(amended.out).to.contain("the loan, as recomputed here from the chain:");
    // The CLI as `npx repayproof` runs it: a child process.
    const r = await f.runNode(["verifier/bin/repayproof.js", "verify-timeline", file, "--rpc", f.node.url, "--json"]);
    expect(r.code, r.output).to.equal(0);
    const out = JSON.parse(r.stdout);
    expect(out.valid).to.equal(true);
    expect(out.differences).to.deep.equal([]);
    // Six checks, and COMPLETE (v0.2): the timeline carries the loan's state proof and omits nothing.
    expect(out.checks.map((c: Json) => [c.check, c.status])).to.deep.equal(
      ["FORMAT", "CHAIN", "EVENTS", "COMPLETE", "TERMS", "AS_OF", "EVALUATION"].map((c) => [c, "pass"]),
    );
    const stage = out.evaluation.installments[0].stages[3];
    expect(stage).to.include({ stage: "FORWARDED", lateBySecs: FORWARD_LATE_BY, responsible: p.collector.address });
  });

  it("error: EVALUATION_MISMATCH (exit 1) with the path of a tampered lateBySecs", async function () {
    const tampered = structuredClone(timeline);
    tampered.evaluation.installments[0].stages[3].lateBySecs = 0;
    const bad = path.join(f.dir, "tampered-evaluation.json");
    fs.writeFileSync(bad, JSON.stringify(tampered));
    const r = await cliInProcess(["verify-timeline", bad, "--rpc", f.node.url, "--json"]);
    expect(r.code).to.equal(1);
    const out = JSON.parse(r.out);
    expect(out.checks.find((c: Json) => c.check === "EVALUATION").code).to.equal("EVALUATION_MISMATCH");
    expect(out.differences).to.deep.equal([
      { path: "$.evaluation.installments[0].stages[3].lateBySecs", expected: FORWARD_LATE_BY, actual: 0 },
    ]);
    const human = await cliInProcess(["verify-timeline", bad, "--rpc", f.node.url]);
    expect(human.code).to.equal(1);
    expect(human.out).to.include("$.evaluation.installments[0].stages[3].lateBySecs");
  });

  it("error: TERMS_MISMATCH (exit 1) when the bundle's copy of the terms is not the registry's", async function () {
    const tampered = structuredClone(timeline);
    tampered.agreement.versions[0].terms.forwardSecs = 86400;
    const bad = path.join(f.dir, "tampered-terms.json");
    fs.writeFileSync(bad, JSON.stringify(tampered));
    const r = await cliInProcess(["verify-timeline", bad, "--rpc", f.node.url, "--json"]);
    expect(r.code).to.equal(1);
    const out = JSON.parse(r.out);
    expect(out.checks.find((c: Json) => c.check === "TERMS").code).to.equal("TERMS_MISMATCH");
    // The evaluation is recomputed from the registry's terms, so it still matches the service's.
    expect(out.checks.find((c: Json) => c.check === "EVALUATION").status).to.equal("pass");
    expect(out.termsDifferences.map((x: Json) => x.path)).to.deep.equal(["$.agreement.versions[0].terms.forwardSecs"]);
  });

  it("error: EVENT_INVALID (exit 1) when an event's receipt is altered", async function () {
    const tampered = structuredClone(timeline);
    tampered.events[3].receipt.occurredAt -= 400;
    const bad = path.join(f.dir, "tampered-event.json");
    fs.writeFileSync(bad, JSON.stringify(tampered));
    const r = await cliInProcess(["verify-timeline", bad, "--rpc", f.node.url, "--json"]);
    expect(r.code).to.equal(1);
    const out = JSON.parse(r.out);
    expect(out.checks.find((c: Json) => c.check === "EVENTS").code).to.equal("EVENT_INVALID");
    expect(out.events[3].valid).to.equal(false);
  });

  it("error: usage and I/O errors exit 2 (no --rpc, missing file, unreachable RPC)", async function () {
    expect((await cliInProcess(["verify-timeline", file])).code).to.equal(2);
    expect((await cliInProcess(["verify-timeline", path.join(f.dir, "none.json"), "--rpc", f.node.url])).code).to.equal(
      2,
    );
    expect((await cliInProcess(["verify-timeline", file, "--rpc", "http://127.0.0.1:1"])).code).to.equal(2);
  });
});
