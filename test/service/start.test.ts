import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { freePort } from "./helpers/hardhatNode";
import { tempDir } from "./helpers/inProcess";
import { exitCodeOf } from "./helpers/serviceProcess";
import { waitFor } from "./helpers/audit";

const ROOT = path.resolve(__dirname, "..", "..");

interface Started {
  child: ChildProcess;
  output: () => string;
}

/** Runs `scripts/start.ts` (what `npm start` runs) and waits for its banner. */
async function npmStart(env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, ["dist/scripts/start.js"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr.on("data", (b: Buffer) => (out += b.toString()));
  await waitFor(
    "the npm start banner",
    async () => out.includes("RepayProof is running") || child.exitCode !== null,
    90_000,
  );
  if (!out.includes("RepayProof is running")) throw new Error(`npm start failed:\n${out}`);
  return { child, output: () => out };
}

describe("npm start (embedded node)", function () {
  this.timeout(240_000);
  let tmp: { dir: string; remove(): void };
  let running: Started | undefined;

  before(function () {
    tmp = tempDir();
  });

  after(async function () {
    if (running && running.child.exitCode === null) running.child.kill("SIGKILL");
    tmp?.remove();
  });

  it("starts a node, deploys, serves, stops cleanly on SIGINT, and moves an earlier chain's DATA_DIR aside", async function () {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      NODE_PORT: String(await freePort()),
      DATA_DIR: path.join(tmp.dir, "data"),
      DEPLOYMENTS_DIR: path.join(tmp.dir, "deployments"),
      NODE_LOG: path.join(tmp.dir, "node.log"),
      LOG_LEVEL: "warn",
    };
    for (let run = 0; run < 2; run++) {
      running = await npmStart(env);
      const info = (await (await fetch(`http://127.0.0.1:${port}/v1/info`)).json()) as { chainId: number };
      expect(info.chainId).to.equal(31337);
      expect(fs.existsSync(path.join(tmp.dir, "deployments", "31337.json"))).to.equal(true);
      if (run === 1) expect(running.output()).to.match(/moved aside/);
      running.child.kill("SIGINT");
      expect(await exitCodeOf(running.child)).to.equal(0);
    }
    const aside = fs.readdirSync(tmp.dir).filter((f) => f.startsWith("data.stale-"));
    expect(aside).to.have.length(1);
    // The node was stopped with the service: its port is free again.
    const probe = await fetch(`http://127.0.0.1:${env.NODE_PORT}`, { method: "POST", body: "{}" }).then(
      () => "open",
      () => "closed",
    );
    expect(probe).to.equal("closed");
  });
});
