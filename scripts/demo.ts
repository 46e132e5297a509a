/**
 * `npm run demo`: a realistic scenario against a running service (`npm start`), over HTTP only.
 *
 * One platform that also collects, two funders, three payment channels and a guarantor; two agreements with
 * allowances of a few seconds; a few hundred loans whose installments fall due, are paid, settled, forwarded
 * and confirmed in real time — some paid late by the borrower, some settled late by a channel, some
 * forwarded late by the collector, one reversed after the fact, one compensated by the guarantor. Funder A
 * listens to `GET /v1/events`. At the end it compares every loan's evaluation with the delays it injected,
 * and `GET /v1/stats` with figures recomputed from the verified timelines; exit 0 when all match. Demo keys only.
 *
 * Options: DEMO_URL (default http://127.0.0.1:8080) or --url; DEMO_QUICK=1 or --quick (a small run for tests);
 * DEMO_SEED; DEMO_LOANS (loans in the full run, default 300); DEMO_OUT_DIR (where the timeline to verify is saved,
 * default the system temp directory).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Wallet, ZeroHash, id, keccak256, toUtf8Bytes } from "ethers";
import { KIND, RECEIPT_TYPES, agreementIdOf, receiptDomain, registryDomain } from "@repayproof/verifier";
import { accessToken, demoHttp, registerAgreements, type Info } from "./lib/demoClient";
import { DemoEvents } from "./lib/demoEvents";
import { ALLOW, INSTALLMENTS, planDemo, prng, type Job, type Scenario } from "./lib/demoPlan";
import { checkStats } from "./lib/demoStats";
import { printSummary, type Expected } from "./lib/demoSummary";

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const QUICK = args.includes("--quick") || process.env.DEMO_QUICK === "1";
const URL_ = (flag("--url") ?? process.env.DEMO_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");
const SEED = process.env.DEMO_SEED ?? "repayproof-demo";
const LOANS = QUICK ? 16 : Number(process.env.DEMO_LOANS ?? 300);
/** Due times of the first installments spread over this many seconds. */
const SPREAD_S = QUICK ? 4 : 20;
const CHANNEL_NAMES = ["online bank", "mobile bank", "pay app"];

const wallet = (name: string): Wallet => new Wallet(keccak256(toUtf8Bytes(`${SEED}:key:${name}`)));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const nowS = (): number => Math.floor(Date.now() / 1000);
const http = demoHttp(URL_);

async function main(): Promise<void> {
  const started = Date.now();
  const runId = BigInt(started);
  const rand = prng(`${SEED}:${QUICK ? "quick" : "full"}`);
  const info = (await http<Info>("GET", "/v1/info")).body;
  if (!info?.contracts) throw new Error(`no service at ${URL_} (GET /v1/info failed); start it with npm start`);
  const rDomain = receiptDomain(info.chainId, info.contracts.anchor);
  const gDomain = registryDomain(info.chainId, info.contracts.registry);
  const token = (w: Wallet): Promise<string> => accessToken(w, rDomain, nowS());

  const platform = wallet("platform"); // the platform collects borrower repayments itself
  const funders = { A: wallet("funder-a"), B: wallet("funder-b") };
  const channels = CHANNEL_NAMES.map((n) => wallet(`channel:${n}`));
  const guarantor = wallet("guarantor");
  const parties = { platform, funders, channels, guarantor };
  console.log(`RepayProof demo${QUICK ? " (quick)" : ""} against ${URL_} (chain ${info.chainId}), seed "${SEED}"`);

  // 1. Two agreements (platform + funder A, platform + funder B), registered through the service.
  // Each ID is bound to its platform and funder by a salt (agreementIdOf, the registry's rule since v0.2).
  const salts = {
    A: keccak256(toUtf8Bytes(`${SEED}:agreement:A:${runId}`)),
    B: keccak256(toUtf8Bytes(`${SEED}:agreement:B:${runId}`)),
  };
  const agreementIds = {
    A: agreementIdOf(platform.address, funders.A.address, salts.A),
    B: agreementIdOf(platform.address, funders.B.address, salts.B),
  };
  await registerAgreements(http, gDomain, parties, agreementIds, salts, CHANNEL_NAMES, await token(platform));
  console.log(`Agreements registered: A ${agreementIds.A}, B ${agreementIds.B}`);
  console.log(
    `Allowances: grace ${ALLOW.grace}s, settle ${ALLOW.settle}s, forward ${ALLOW.forward}s, confirm ${ALLOW.confirm}s`,
  );

  // 2. Funder A listens to the live stream.
  const events = new DemoEvents(URL_, await token(funders.A), agreementIds.A);
  await events.open();

  // 3. The loans and what happens to each installment.
  const t0 = Date.now() + 1500;
  let nonce = runId * 1_000_000n;
  const { loans, expected, jobs } = planDemo({ seed: SEED, runId, loans: LOANS, spreadS: SPREAD_S, t0, rand, parties });
  const expectedOf = new Map(expected.map((e) => [`${e.loanId}:${e.installment}`, e]));
  const scenarioCount = (s: Scenario): number => expected.filter((e) => e.scenario === s).length;
  console.log(
    `${LOANS} loans × ${INSTALLMENTS} installments: ${scenarioCount("ontime")} on time, ${scenarioCount("borrower")} paid late by the borrower, ${scenarioCount("channel")} settled late by a channel, ${scenarioCount("collector")} forwarded late by the collector, ${scenarioCount("reversal")} reversal, ${scenarioCount("compensation")} compensation`,
  );

  // 4. Real time: every 100 ms, sign what is due and submit it in one request.
  let submitted = 0;
  let lastDigest = "";
  let lastAgreement: "A" | "B" = "A";
  let lastProgress = Date.now();
  while (jobs.length > 0) {
    const now = Date.now();
    const due = jobs.filter((j) => j.at <= now);
    if (due.length === 0) {
      await sleep(Math.min(100, Math.min(...jobs.map((j) => j.at)) - now));
      continue;
    }
    for (const j of due) jobs.splice(jobs.indexOf(j), 1);
    const occurredAt = nowS();
    const items = await Promise.all(
      due.map(async (j) => {
        const receipt = {
          agreementId: agreementIds[j.loan.agreement],
          loanId: j.loan.loanId,
          installment: j.installment,
          kind: j.kind,
          amount: (j.loan.amounts[j.installment - 1] as bigint).toString(),
          currency: 156,
          channel: j.channel ?? 0,
          externalRef: j.channel ? id(`channel-tx:${runId}:${nonce}`) : ZeroHash,
          ref: j.ref ? j.ref() : ZeroHash,
          occurredAt,
          nonce: (nonce++).toString(),
          attester: j.signer.address,
        };
        return { receipt, signature: await j.signer.signTypedData(rDomain, RECEIPT_TYPES, receipt) };
      }),
    );
    const res = await http<{ results?: { digest?: string; error?: { code: string } }[] }>("POST", "/v1/receipts", {
      items,
    });
    const results = res.body?.results;
    if (res.status !== 202 || !results) throw new Error(`receipts refused: ${res.status} ${JSON.stringify(res.body)}`);
    results.forEach((r, k) => {
      const j = due[k] as Job;
      if (!r.digest) throw new Error(`receipt refused: ${JSON.stringify(r)}`);
      const exp = expectedOf.get(`${j.loan.loanId}:${j.installment}`) as Expected;
      exp.times[j.kind] = occurredAt;
      if (j.kind === KIND.SETTLED && j.loan.agreement === "A") events.expectRepayment(r.digest, Date.now());
      j.then?.(occurredAt, r.digest);
      lastDigest = r.digest;
      lastAgreement = j.loan.agreement;
      submitted++;
    });
    const progress = `  ${submitted} receipts submitted, ${jobs.length} scheduled, ${events.count()} events heard`;
    if (process.stdout.isTTY) process.stdout.write(`\r${progress}`);
    else if (Date.now() - lastProgress >= 5000) {
      console.log(progress);
      lastProgress = Date.now();
    }
  }
  if (process.stdout.isTTY) process.stdout.write("\n");

  // 5. Wait for the last receipt's batch to be anchored (batches anchor in order, so all are).
  const funderAToken = await token(funders.A);
  const funderBToken = await token(funders.B);
  for (let i = 0; ; i++) {
    const tok = lastAgreement === "A" ? funderAToken : funderBToken;
    const st = await http<{ status?: string }>("GET", `/v1/receipts/${lastDigest}`, undefined, tok);
    if (st.body?.status === "anchored" || st.body?.status === "final") break;
    if (i > 600) throw new Error("the last receipt was not anchored within 60 s");
    await sleep(100);
  }
  await sleep(1500); // let the events of the last batch arrive
  events.close();

  // 6. The service's evaluations, reconciliation and alerts.
  const timelines = new Map<string, unknown>();
  for (const loan of loans) {
    const t = await http<unknown>(
      "GET",
      `/v1/loans/${loan.loanId}/timeline`,
      undefined,
      loan.agreement === "A" ? funderAToken : funderBToken,
    );
    if (t.status !== 200) throw new Error(`timeline of ${loan.loanId}: ${t.status} ${JSON.stringify(t.body)}`);
    timelines.set(loan.loanId, t.body);
  }
  const today = new Date().toISOString().slice(0, 10);
  const recon = await http<unknown>(
    "GET",
    `/v1/reconciliation?agreementId=${agreementIds.A}&from=${today}&to=${today}`,
    undefined,
    funderAToken,
  );
  const alerts = await http<unknown>("GET", `/v1/alerts?agreementId=${agreementIds.A}`, undefined, funderAToken);

  const ok = printSummary({
    expected,
    timelines,
    allowances: ALLOW,
    parties: {
      borrower: "borrower",
      collector: platform.address,
      funderA: funders.A.address,
      funderB: funders.B.address,
      channels: Object.fromEntries(channels.map((c, i) => [c.address, CHANNEL_NAMES[i] as string])),
    },
    reconciliation: recon.body,
    alerts: alerts.body,
    events: events.report(),
    submitted,
    seconds: (Date.now() - started) / 1000,
  });
  // Issue 11: every figure of GET /v1/stats equals the one recomputed from the loans' verified timelines.
  const statsStarted = Date.now();
  const stats = await checkStats(
    http,
    info,
    (["A", "B"] as const).map((a) => ({
      name: a,
      agreementId: agreementIds[a],
      token: a === "A" ? funderAToken : funderBToken,
      loanIds: loans.filter((l) => l.agreement === a).map((l) => l.loanId),
    })),
    timelines,
  );
  console.log(`${stats.line} (${((Date.now() - statsStarted) / 1000).toFixed(1)} s)`);

  // 7. One loan to verify by hand: a channel's late settlement, say.
  const pick = expected.find((e) => e.scenario === "channel") ?? (expected[0] as Expected);
  const outDir = process.env.DEMO_OUT_DIR ?? os.tmpdir();
  fs.mkdirSync(outDir, { recursive: true });
  const timeline = timelines.get(pick.loanId) as { events: { format?: string; digest: string }[] };
  const file = path.join(outDir, `repayproof-demo-timeline-${pick.loanId.slice(2, 10)}.json`);
  fs.writeFileSync(file, JSON.stringify(timeline, null, 2));
  // And one anchored receipt's proof bundle, the unit a funder checks.
  const proof = timeline.events.find((e) => e.format !== undefined);
  const proofFile = proof ? path.join(outDir, `repayproof-demo-receipt-${proof.digest.slice(2, 10)}.json`) : undefined;
  if (proof && proofFile) fs.writeFileSync(proofFile, JSON.stringify(proof, null, 2));
  const tok = pick.agreement === "A" ? funderAToken : funderBToken;
  console.log(`
Verify one timeline yourself (loan ${pick.loanId}, funder ${pick.agreement}; its bundle is saved in ${file}):
  npx repayproof verify-timeline ${file} --rpc ${info.rpcUrl}${
    proofFile
      ? `
and one receipt's proof bundle from it (${proofFile}):
  npx repayproof verify ${proofFile} --rpc ${info.rpcUrl}
  npx repayproof inspect ${proofFile}`
      : ""
  }
or fetch it again (the token is funder ${pick.agreement}'s, valid for an hour):
  curl -s -H 'Authorization: ${tok}' ${URL_}/v1/loans/${pick.loanId}/timeline > timeline.json
  npx repayproof verify-timeline timeline.json --rpc ${info.rpcUrl}`);
  const all = ok && stats.ok;
  console.log(
    all ? "\nDEMO OK: the service's evaluation matches every injected delay." : "\nDEMO MISMATCH: see above.",
  );
  process.exitCode = all ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(`\ndemo failed: ${(err as Error).message}`);
  process.exit(2);
});
