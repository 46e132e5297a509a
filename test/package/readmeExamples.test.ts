import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";
import { loanIdOf } from "@repayproof/verifier";
import type { Deployment } from "../../scripts/lib/deployContracts";
import { freePort, getJson, postJson, type JsonResponse, type RunningChild } from "../../scripts/devnet";
import { expectDocumented } from "../helpers/apiContract";
import { agreementBody, bearer, boundId, makeParties } from "../helpers/parties";
import { baseEnv, startSpawnFixture, type Json, type SpawnFixture } from "../helpers/spawnFixture";
import { waitFor } from "../helpers/waitFor";
import { runInApp, sharedPackedClient } from "./packedClient";

/** The fenced code block after `<!-- example: name -->` in README.md, verbatim. */
function readmeExample(name: string): string {
  const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
  const m = new RegExp(`<!-- example: ${name} -->\\s*\`\`\`js\\n([\\s\\S]*?)\\n\`\`\``).exec(readme);
  if (!m) throw new Error(`README.md has no example ${name}`);
  return m[1] as string;
}

/** `res`, once checked against the OpenAPI document, as spawnFixture's helpers check theirs. */
function documented(method: string, url: string, res: JsonResponse<Json>): JsonResponse<Json> {
  expectDocumented(method, new URL(url).pathname, res.status, "application/json", res.body);
  return res;
}

describe("README's examples against npm start (its own Hardhat node, contracts and service, default settings)", function () {
  this.timeout(300_000);
  let f: SpawnFixture;
  let app: string;
  let started: RunningChild | undefined;
  let nodePort: number;
  let url: string;

  before(async function () {
    app = sharedPackedClient();
    // Only the temp directory and the child bookkeeping of the fixture: npm start runs its own node.
    f = await startSpawnFixture({ node: false, service: false });
    const port = await freePort();
    nodePort = await freePort();
    url = `http://127.0.0.1:${port}`;
    // What `npm start` runs (package.json: node's flags, then scripts/run.js start → dist/scripts/start.js),
    // with only ports and directories set: its own batch interval, confirmations and everything else.
    const env = baseEnv({
      MALLOC_ARENA_MAX: "2",
      PORT: String(port),
      NODE_PORT: String(nodePort),
      DATA_DIR: path.join(f.dir, "data"),
      DEPLOYMENTS_DIR: path.join(f.dir, "deployments"),
      NODE_LOG: path.join(f.dir, "node.log"),
      LOG_LEVEL: "warn",
    });
    started = f.spawnNode(["--max-semi-space-size=4", "dist/scripts/start.js"], env);
    await started.waitForOutput(/RepayProof is running/, 90_000);
  });

  after(async function () {
    // A test that failed before its SIGINT still stops npm start (and so its node) the same way.
    await started?.kill("SIGINT", 20_000);
    await f?.close();
  });

  it("behavior: README's two ten-line examples run verbatim: a platform submits DUE receipts, a funder verifies the timeline; Ctrl-C stops it cleanly", async function () {
    const d = JSON.parse(fs.readFileSync(path.join(f.dir, "deployments", "31337.json"), "utf8")) as Deployment;
    const info = documented("get", url + "/v1/info", await getJson<Json>(url + "/v1/info"));
    expect(info.body.contracts).to.deep.equal({ registry: d.registry, anchor: d.anchor });
    expect(info.body.chainId).to.equal(d.chainId);
    expect(info.body.rpcUrl).to.equal(`http://127.0.0.1:${nodePort}`);

    const p = makeParties();
    const agreementId = boundId(p);
    const body = await agreementBody(d, p, agreementId);
    const reg = documented(
      "post",
      url + "/v1/agreements",
      await postJson<Json>(url + "/v1/agreements", body, bearer(d, p.platform)),
    );
    expect(reg.status, JSON.stringify(reg.body)).to.equal(201);

    const salt = hexlify(randomBytes(32));
    const due = readmeExample("platform-due");
    const timeline = readmeExample("funder-timeline");
    expect(due.split("\n")).to.have.length(10);
    expect(timeline.split("\n")).to.have.length(10);
    fs.writeFileSync(path.join(app, "platform-due.js"), due);
    fs.writeFileSync(path.join(app, "funder-timeline.js"), timeline);
    const a = await runInApp(app, ["platform-due.js"], {
      RP_URL: url,
      RP_KEY: p.platform.privateKey,
      RP_AGREEMENT: agreementId,
      RP_SALT: salt,
    });
    expect(a.code, a.stderr).to.equal(0);
    const lines = a.stdout.trim().split("\n");
    expect(lines).to.have.length(3);
    for (const l of lines) expect(l).to.match(/^0x[0-9a-f]{64} pending, anchored by \d+$/);
    const statusUrl = `${url}/v1/receipts/${lines[2]!.slice(0, 66)}`;
    await waitFor(
      "the last receipt anchored",
      async () => {
        const res = documented("get", statusUrl, await getJson<Json>(statusUrl, bearer(d, p.platform)));
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        return ["anchored", "final"].includes((res.body as { status: string }).status);
      },
      30_000,
    );
    const b = await runInApp(app, ["funder-timeline.js"], {
      RP_URL: url,
      RP_KEY: p.funder.privateKey,
      RP_RPC_URL: `http://127.0.0.1:${nodePort}`,
      RP_ANCHOR: d.anchor,
      RP_REGISTRY: d.registry,
      RP_LOAN_ID: loanIdOf("LN-2026-0042", salt),
    });
    expect(b.code, b.stderr).to.equal(0);
    expect(b.stdout).to.contain("timeline verified: true, 3 receipts");
    for (const i of [1, 2, 3]) expect(b.stdout).to.match(new RegExp(`installment ${i}: \\w+`));

    // Ctrl-C: npm start stops the service, then its node, and exits 0.
    started!.child.kill("SIGINT");
    expect((await started!.exited).code, started!.output()).to.equal(0);
  });
});
