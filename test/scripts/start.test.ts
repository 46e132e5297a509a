import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { freePort, getJson } from "../../scripts/devnet";
import { baseEnv, startSpawnFixture, type SpawnFixture } from "../helpers/spawnFixture";

describe("npm start (embedded node)", function () {
  this.timeout(240_000);
  let f: SpawnFixture;

  before(async function () {
    // No node of the fixture's: npm start runs its own.
    f = await startSpawnFixture({ node: false, service: false });
  });

  after(async function () {
    await f?.close();
  });

  it("starts a node, deploys, serves, stops cleanly on SIGINT, and moves an earlier chain's DATA_DIR aside", async function () {
    const port = await freePort();
    const nodePort = await freePort();
    const env = baseEnv({
      PORT: String(port),
      NODE_PORT: String(nodePort),
      DATA_DIR: path.join(f.dir, "data"),
      DEPLOYMENTS_DIR: path.join(f.dir, "deployments"),
      NODE_LOG: path.join(f.dir, "node.log"),
      LOG_LEVEL: "warn",
    });
    for (let run = 0; run < 2; run++) {
      // What `npm start` runs (scripts/run.js start → dist/scripts/start.js), started the same way.
      const started = f.spawnNode(["dist/scripts/start.js"], env);
      await started.waitForOutput(/RepayProof is running/, 90_000);
      const info = await getJson<{ chainId: number; rpcUrl: string }>(`http://127.0.0.1:${port}/v1/info`);
      expect(info.body.chainId).to.equal(31337);
      expect(info.body.rpcUrl).to.equal(`http://127.0.0.1:${nodePort}`);
      expect(fs.existsSync(path.join(f.dir, "deployments", "31337.json"))).to.equal(true);
      if (run === 1) expect(started.output()).to.match(/moved aside/);
      else expect(started.output()).not.to.match(/moved aside/);
      started.child.kill("SIGINT");
      expect((await started.exited).code, started.output()).to.equal(0);
    }
    const aside = fs.readdirSync(f.dir).filter((name) => name.startsWith("data.stale-"));
    expect(aside).to.have.length(1);
    // The node and the service were stopped with it: both ports are free again.
    for (const p of [nodePort, port]) {
      const probe = await fetch(`http://127.0.0.1:${p}`, { method: "POST", body: "{}" }).then(
        () => "open",
        () => "closed",
      );
      expect(probe, `port ${p}`).to.equal("closed");
    }
  });
});
