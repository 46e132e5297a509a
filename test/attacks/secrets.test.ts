import { Writable } from "node:stream";
import { expect } from "chai";
import request from "supertest";
import { KIND } from "@repayproof/verifier";
import { createApp } from "../../service/app";
import { HARDHAT_KEY_0 } from "../../service/config";
import { startService, type RunningService } from "../../service/server";
import type { Deployment } from "../../scripts/lib/deployContracts";
import { deployOn, startHardhatNode, type HardhatNode } from "../../scripts/devnet";
import { testConfig } from "../helpers/inProcess";
import { agreementBody, bearer, makeParties, makeReceipt, boundId, randomId, signReceipt } from "../helpers/parties";
import { startRpcGate, type RpcGate } from "../helpers/rpcGate";
import { tempDir, type TempDir } from "../helpers/tempDir";
import { waitFor } from "../helpers/waitFor";

const API_KEY = "SECRETKEY123";
const OPERATOR_HEX = HARDHAT_KEY_0.slice(2);

/**
 * Finding 6: `/v1/info` echoed RPC_URL (API key and all), `/healthz` returned the RPC's raw error (ethers
 * quotes `requestUrl`), and log lines carried both. A key is planted in RPC_URL's path and in OPERATOR_KEY;
 * every endpoint is exercised, with the RPC up and then failing, and every body and log line is searched.
 */
describe("attack: secrets in responses and logs", function () {
  let node: HardhatNode;
  let gate: RpcGate;
  let tmp: TempDir;
  let svc: RunningService;
  let d: Deployment;
  let logs = "";
  const bodies: string[] = [];
  const p = makeParties();
  const agreementId = boundId(p);

  const keep = (res: request.Response): request.Response => {
    bodies.push(JSON.stringify(res.headers) + (res.text ?? ""));
    return res;
  };

  before(async function () {
    node = await startHardhatNode();
    tmp = tempDir();
    d = await deployOn(node.url);
    gate = await startRpcGate(node.port);
    const rpcUrl = `http://127.0.0.1:${gate.port}/v3/${API_KEY}?apikey=${API_KEY}`;
    const config = testConfig(rpcUrl, d, tmp.dir, { operatorKey: HARDHAT_KEY_0, logLevel: "debug" });
    config.batchIntervalMs = 200;
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logs += chunk.toString();
        cb();
      },
    });
    svc = await startService(config, { logStream: sink, rpcWaitMs: 5_000 });
    const registered = await request(createApp(svc.deps))
      .post("/v1/agreements")
      .set("authorization", bearer(d, p.platform))
      .send(await agreementBody(d, p, agreementId));
    expect(registered.status, registered.text).to.equal(201);
  });

  after(async function () {
    await svc?.close();
    await gate?.close();
    await node?.stop();
    tmp?.remove();
  });

  it("behavior: /v1/info publishes no rpcUrl with a key in it, and PUBLIC_RPC_URL when set", async function () {
    const app = createApp(svc.deps);
    expect(keep(await request(app).get("/v1/info")).body.rpcUrl).to.equal(null);
    const pub = createApp({ ...svc.deps, config: { ...svc.deps.config, publicRpcUrl: "https://rpc.example.org" } });
    expect((await request(pub).get("/v1/info")).body.rpcUrl).to.equal("https://rpc.example.org");
  });

  it("behavior: no response and no log line holds the RPC key or the operator key, the RPC up or failing", async function () {
    const app = createApp(svc.deps);
    const receipt = (id: string): object => signReceipt(d, makeReceipt(id, p.platform, KIND.DUE), p.platform).item;
    keep(await request(app).post("/v1/receipts").send(receipt(agreementId)));
    for (const path of ["/v1/info", "/healthz", "/metrics", "/v1/nothing", `/v1/agreements/${agreementId}`])
      keep(await request(app).get(path));

    gate.fail = true;
    keep(await request(app).post("/v1/receipts").send(receipt(agreementId))); // accepted: anchoring will fail
    keep(await request(app).post("/v1/receipts").send(receipt(randomId()))); // unknown: the registry must be read
    keep(
      await request(app)
        .post("/v1/receipts")
        .send({ items: [{ receipt: 1 }] }),
    );
    keep(await request(app).post("/v1/agreements").send({ agreementId: randomId() }));
    keep(await request(app).get(`/v1/agreements/${randomId()}`));
    await waitFor(
      "the anchorer to meet the failing RPC",
      () => Promise.resolve(svc.deps.anchorer.lastError !== undefined),
      20_000,
      100,
    );
    const health = keep(await request(app).get("/healthz"));
    expect(health.body.chain).to.equal("unreachable");
    keep(await request(app).get("/metrics"));
    gate.fail = false;

    expect(logs, "the service logged the chain failure").to.match(/anchoring step failed/);
    const all = bodies.join("\n") + "\n" + logs;
    expect(all).to.not.include(API_KEY);
    expect(all.toLowerCase()).to.not.include(OPERATOR_HEX.toLowerCase());
    expect(logs, "log lines show where a secret was").to.include("[redacted]");
  });
});
