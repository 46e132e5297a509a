import path from "node:path";
import { expect } from "chai";
import { startSpawnFixture, baseEnv, type SpawnFixture } from "../helpers/spawnFixture";

describe("npm run demo", function () {
  this.timeout(240_000);
  let f: SpawnFixture;

  before(async function () {
    // As npm start runs it (batches every 2 s, one confirmation), as a process of its own.
    f = await startSpawnFixture({ env: { BATCH_INTERVAL_MS: "2000", CONFIRMATIONS: "1" } });
  });

  after(async function () {
    await f?.close();
  });

  it("behavior: the quick run's summary matches the delays it injected, its stats equal the timelines' recomputation, and its timeline verifies with the CLI", async function () {
    const outDir = path.join(f.dir, "demo-out");
    const env = baseEnv({ DEMO_URL: f.url, DEMO_QUICK: "1", DEMO_OUT_DIR: outDir });
    const demo = await f.runNode(["dist/scripts/demo.js"], env);
    expect(demo.code, demo.output).to.equal(0);
    const out = demo.stdout;
    expect(out).to.include("DEMO OK");

    // Every row of the table: as many late stages (and late seconds) evaluated as injected.
    const rows = out
      .split("\n")
      .filter((l) => /^(INITIATED|SETTLED|FORWARDED|CONFIRMED) /.test(l))
      .map((l) => {
        const cells = l.trim().split(/\s{2,}/); // the label itself may hold runs of spaces
        return [cells.slice(0, -6).join(" "), ...cells.slice(-6)];
      });
    expect(rows.length).to.be.at.least(4);
    for (const r of rows) {
      const [, judged, injected, evaluated, injectedSecs, evaluatedSecs, verdict] = r;
      expect(Number(judged), r.join(" | ")).to.be.greaterThan(0);
      expect(evaluated, r.join(" | ")).to.equal(injected);
      expect(evaluatedSecs, r.join(" | ")).to.equal(injectedSecs);
      expect(verdict).to.equal("match");
    }
    const lateRows = (stage: string) => rows.filter((r) => (r[0] as string).startsWith(stage));
    const injectedOf = (stage: string) => lateRows(stage).reduce((n, r) => n + Number(r[2]), 0);
    expect(injectedOf("INITIATED")).to.be.greaterThan(0); // the borrower paid late (and the compensated default)
    expect(injectedOf("FORWARDED") + injectedOf("SETTLED")).to.be.greaterThan(0);
    expect(out).to.match(/reversed 1 → 1/);
    expect(out).to.match(/compensated 1 → 1/);
    expect(out).to.match(/ 0 of other agreements/);
    expect(out).not.to.include("NOT heard");
    // Issue 11: every figure of GET /v1/stats equals the one recomputed from the 16 loans' verified timelines.
    const stats = /stats: (\d+) figures over 16 loans equal the timelines' recomputation/.exec(out);
    expect(stats, out).to.not.equal(null);
    expect(Number(stats![1])).to.be.greaterThan(0);

    // The timeline and the receipt bundle it points at verify against the chain alone.
    const m = /npx repayproof verify-timeline (\S+) --rpc (\S+)/.exec(out);
    expect(m, out).to.not.equal(null);
    const [, file, rpc] = m as RegExpExecArray;
    expect(path.dirname(file as string)).to.equal(outDir);
    expect(rpc).to.equal(f.node.url);
    const verify = await f.runNode([
      "verifier/bin/repayproof.js",
      "verify-timeline",
      file as string,
      "--rpc",
      rpc as string,
    ]);
    expect(verify.code, verify.output).to.equal(0);
    const proof = /npx repayproof verify (\S+) --rpc/.exec(out);
    expect(proof, out).to.not.equal(null);
    const bundle = await f.runNode([
      "verifier/bin/repayproof.js",
      "verify",
      proof![1] as string,
      "--rpc",
      rpc as string,
    ]);
    expect(bundle.code, bundle.output).to.equal(0);
  });
});
