import { spawn } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import type { RunningService } from "../../service/server";
import { startHardhatNode, type NodeHandle } from "./helpers/hardhatNode";
import { startInProcess, tempDir, testConfig } from "./helpers/inProcess";
import { deployOn } from "./helpers/parties";

const ROOT = path.resolve(__dirname, "..", "..");

/** Runs a TypeScript script or the CLI as a child process; resolves with its exit code and output. */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    child.once("exit", (code) => resolve({ code, out }));
  });
}

describe("npm run demo", function () {
  this.timeout(240_000);
  let node: NodeHandle;
  let svc: RunningService;
  let tmp: { dir: string; remove(): void };
  let out: { dir: string; remove(): void };

  before(async function () {
    node = await startHardhatNode();
    const d = await deployOn(node.url);
    tmp = tempDir();
    out = tempDir("repayproof-demo-out-");
    // As npm start runs it (batches every 2 s, one confirmation), on a port of its own.
    svc = await startInProcess(testConfig(node.url, d, tmp.dir, { batchIntervalMs: 2000, confirmations: 1 }));
  });

  after(async function () {
    await svc?.close();
    await node?.stop();
    tmp?.remove();
    out?.remove();
  });

  it("behavior: the quick run's summary matches the delays it injected, and its timeline verifies with the CLI", async function () {
    const env = { ...process.env, DEMO_URL: svc.url, DEMO_QUICK: "1", DEMO_OUT_DIR: out.dir };
    const demo = await run(["dist/scripts/demo.js"], env);
    expect(demo.code, demo.out).to.equal(0);
    expect(demo.out).to.include("DEMO OK");

    // Every row of the table: as many late stages (and late seconds) evaluated as injected.
    const rows = demo.out
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
    expect(demo.out).to.match(/reversed 1 → 1/);
    expect(demo.out).to.match(/compensated 1 → 1/);
    expect(demo.out).to.match(/ 0 of other agreements/);
    expect(demo.out).not.to.include("NOT heard");

    // The timeline it points at verifies against the chain alone.
    const m = /npx repayproof verify-timeline (\S+) --rpc (\S+)/.exec(demo.out);
    expect(m, demo.out).to.not.equal(null);
    const [, file, rpc] = m as RegExpExecArray;
    expect(path.dirname(file as string)).to.equal(out.dir);
    const verify = await run(
      ["verifier/bin/repayproof.js", "verify-timeline", file as string, "--rpc", rpc as string],
      env,
    );
    expect(verify.code, verify.out).to.equal(0);
  });
});
