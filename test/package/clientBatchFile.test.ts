import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";
import { boundId, makeParties, type Parties } from "../helpers/parties";
import { metric } from "../helpers/receiptFlow";
import { startSpawnFixture, type SpawnFixture } from "../helpers/spawnFixture";
import { waitFor } from "../helpers/waitFor";
import { runInApp, sharedPackedClient } from "./packedClient";

/** A settlement file of `n` good rows (SETTLED by the channel) with `bad` rows put in at the given indexes. */
function csvOf(tag: string, n: number, bad: Record<number, string> = {}): { text: string; badLines: number[] } {
  const lines = ["loanRef,installment,kind,amount,channel,txId,occurredAt"];
  const badLines: number[] = [];
  const now = Math.floor(Date.now() / 1000) - 60;
  for (let i = 0; i < n; i++) {
    if (bad[i] !== undefined) {
      lines.push(bad[i] as string);
      badLines.push(lines.length);
    }
    lines.push(`LN-${tag}-${i},${1 + (i % 12)},SETTLED,${100000 + i},mobile banking,MB-${tag}-${i},${now - (i % 600)}`);
  }
  return { text: lines.join("\n") + "\n", badLines };
}

const lineCount = (file: string): number =>
  fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean).length : 0;

describe("the client package: npx repayproof submit <file.csv> (batch files)", function () {
  this.timeout(300_000);
  let f: SpawnFixture;
  let app: string;
  let p: Parties;
  let agreementId: string;
  const bin = (): string => path.join(app, "node_modules", ".bin", "repayproof");
  const args = (file: string): string[] => [
    "submit",
    file,
    "--key-file",
    "channel.key",
    "--salt-file",
    "loan.salt",
    "--agreement",
    agreementId,
    "--url",
    f.url,
  ];

  before(async function () {
    app = sharedPackedClient();
    f = await startSpawnFixture({ env: { BATCH_INTERVAL_MS: "500", RATE_LIMIT_RPS: "100000" } });
    p = makeParties();
    agreementId = boundId(p);
    await f.register(p, agreementId);
    fs.writeFileSync(path.join(app, "channel.key"), p.channel.privateKey + "\n", { mode: 0o600 });
    fs.writeFileSync(path.join(app, "loan.salt"), hexlify(randomBytes(32)) + "\n");
  });

  after(async function () {
    await f?.close();
  });

  it("error: a 10,000-row file with 3 bad rows: 9,997 acknowledged, the 3 reported by line, exit 1; a re-run submits nothing again", async function () {
    const good = 9997;
    const { text, badLines } = csvOf("a", good, {
      100: "LN-a-x,1,SETTLED,125.50,2,MB-a-x,1764400000",
      5000: "LN-a-y,1,PAID,125000,2,MB-a-y,1764400000",
      9900: ",1,SETTLED,125000,2,MB-a-z,1764400000",
    });
    fs.writeFileSync(path.join(app, "day-a.csv"), text);
    const before = await metric(f, "repayproof_receipts_accepted_total");
    const first = await runInApp(app, ["repayproof", ...args("day-a.csv")], {}, "npx");
    expect(first.code, first.stderr).to.equal(1);
    const reported = [...first.stderr.matchAll(/^line (\d+): (.*)$/gm)];
    expect(reported.map((m) => Number(m[1]))).to.deep.equal(badLines);
    expect(reported[0]![2]).to.contain("minor units");
    expect(reported[1]![2]).to.contain("kind");
    expect(reported[2]![2]).to.contain("loanRef is missing");
    expect(first.stdout).to.contain(`10000 rows: ${good} acknowledged (0 earlier), 3 bad`);
    const out = path.join(app, "day-a.csv.acks.jsonl");
    const recs = fs
      .readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { digest: string });
    expect(new Set(recs.map((r) => r.digest)).size).to.equal(good);
    expect((await metric(f, "repayproof_receipts_accepted_total")) - before).to.equal(good);

    const again = await runInApp(app, [bin(), ...args("day-a.csv")], {});
    expect(again.code, again.stderr).to.equal(1);
    expect(again.stderr).to.contain(`${good} already in`);
    expect(again.stderr).to.contain(", 0 to submit");
    expect([...again.stderr.matchAll(/^line (\d+):/gm)].map((m) => Number(m[1]))).to.deep.equal(badLines);
    expect(again.stdout).to.contain(`${good} acknowledged (${good} earlier), 3 bad`);
    expect(lineCount(out)).to.equal(good);
    expect((await metric(f, "repayproof_receipts_accepted_total")) - before).to.equal(good);
  });

  it("behavior: kill -9 of the command half-way, then a re-run: every row acknowledged exactly once", async function () {
    const n = 10_000;
    fs.writeFileSync(path.join(app, "day-b.csv"), csvOf("b", n).text);
    const out = path.join(app, "day-b.csv.acks.jsonl");
    const before = await metric(f, "repayproof_receipts_accepted_total");
    const child = spawn(process.execPath, [bin(), ...args("day-b.csv"), "--concurrency", "1"], {
      cwd: app,
      stdio: "ignore",
    });
    const exited = new Promise((r) => child.once("exit", r));
    await waitFor("a quarter of the rows acknowledged", async () => lineCount(out) >= n / 4, 120_000, 5);
    child.kill("SIGKILL");
    await exited;
    const atKill = lineCount(out);
    expect(atKill, "killed before the end").to.be.lessThan(n);
    const rerun = await runInApp(app, [bin(), ...args("day-b.csv")], {});
    expect(rerun.code, rerun.stderr).to.equal(0);
    expect(rerun.stdout).to.contain(`${n} rows: ${n} acknowledged`);
    const digests = fs
      .readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { digest: string }).digest);
    expect(digests).to.have.length(n);
    expect(new Set(digests).size, "each row once in the output").to.equal(n);
    expect((await metric(f, "repayproof_receipts_accepted_total")) - before, "each stored once").to.equal(n);
    console.log(`      killed with ${atKill} of ${n} Acks written; the re-run wrote the other ${n - atKill}`);
  });

  it("error: a header with an unknown column stops before anything is signed (exit 2)", async function () {
    fs.writeFileSync(path.join(app, "bad-header.csv"), "loanRef,installment,kind,amount,occuredAt\nL,1,DUE,5,1\n");
    const r = await runInApp(app, [bin(), ...args("bad-header.csv")], {});
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain("unknown column occuredAt");
    expect(fs.existsSync(path.join(app, "bad-header.csv.acks.jsonl"))).to.equal(false);
  });
});
