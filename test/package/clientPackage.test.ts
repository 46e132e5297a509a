import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { boundId, makeParties, type Parties } from "../helpers/parties";
import { metric } from "../helpers/receiptFlow";
import { startSpawnFixture, type SpawnFixture } from "../helpers/spawnFixture";
import { runInApp, sharedPackedClient } from "./packedClient";

// A platform's program using the installed package: signs and submits N DUE receipts, prints what it got.
const SUBMIT_SCRIPT = `
const { Wallet } = require("ethers");
const { RepayProofClient } = require("@repayproof/client");
(async () => {
  const client = new RepayProofClient({ url: process.env.RP_URL, signer: new Wallet(process.env.RP_KEY) });
  const n = Number(process.env.N), base = Number(process.env.NONCE), now = Math.floor(Date.now() / 1000);
  const receipts = Array.from({ length: n }, (_, i) => ({ agreementId: process.env.RP_AGREEMENT,
    loanId: "0x" + (i + 1).toString(16).padStart(64, "0"), installment: 1, kind: "DUE", amount: 100000 + i,
    occurredAt: now, nonce: base + i }));
  const started = Date.now();
  const acks = await client.submit(receipts);
  const again = await client.submit(receipts);
  console.log(JSON.stringify({ ms: Date.now() - started, acks, same: again.every((a, i) =>
    JSON.stringify(a.ack) === JSON.stringify(acks[i].ack)) }));
})().catch((e) => { console.error(e.code, e.message); process.exit(3); });
`;

describe("the client package: npm pack ./client, installed in an empty folder, against a running service", function () {
  this.timeout(300_000);
  let f: SpawnFixture;
  let app: string;
  let p: Parties;
  let agreementId: string;
  let env: Record<string, string>;

  before(async function () {
    app = sharedPackedClient();
    // The service as npm start runs it (batches every 2 s, one confirmation), as a process of its own.
    f = await startSpawnFixture({ env: { BATCH_INTERVAL_MS: "2000", CONFIRMATIONS: "1" } });
    p = makeParties();
    agreementId = boundId(p);
    await f.register(p, agreementId);
    env = { RP_URL: f.url, RP_KEY: p.platform.privateKey, RP_AGREEMENT: agreementId };
  });

  after(async function () {
    await f?.close();
  });

  it("behavior: installs from the tarballs alone, compiled JavaScript and types, no TypeScript", function () {
    const installed = path.join(app, "node_modules", "@repayproof", "client");
    for (const file of ["dist/index.js", "dist/index.d.ts", "dist/cli/main.js", "bin/repayproof.js"])
      expect(fs.existsSync(path.join(installed, file)), file).to.equal(true);
    expect(fs.existsSync(path.join(installed, "src")), "sources are not shipped").to.equal(false);
    expect(fs.existsSync(path.join(app, "node_modules", "typescript"))).to.equal(false);
    expect(fs.existsSync(path.join(app, "node_modules", "ts-node"))).to.equal(false);
  });

  it("behavior: submits 2,500 receipts (5 requests of 500), every Ack checked; a resubmission gets the same Acks, stores nothing", async function () {
    const before = await metric(f, "repayproof_receipts_accepted_total");
    fs.writeFileSync(path.join(app, "submit.js"), SUBMIT_SCRIPT);
    const r = await runInApp(app, ["submit.js"], { ...env, N: "2500", NONCE: String(Date.now()) });
    expect(r.code, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout) as { ms: number; same: boolean; acks: { ok: boolean; ack: { root?: string } }[] };
    expect(out.acks).to.have.length(2500);
    expect(out.acks.every((a) => a.ok)).to.equal(true);
    expect(new Set(out.acks.map((a) => a.ack.root)).size, "one batch Ack per request").to.equal(5);
    expect(out.same).to.equal(true);
    expect((await metric(f, "repayproof_receipts_accepted_total")) - before).to.equal(2500);
    console.log(`      2,500 receipts signed, submitted and checked in ${out.ms} ms (with the resubmission)`);
  });
});
