import { expect } from "chai";
import { Wallet } from "ethers";
import { HARDHAT_KEY_0 } from "../../service/config";
import { agreementBody, bearer, makeParties, boundId, termsOf } from "../helpers/parties";
import { startRpcProxy, type RpcProxy } from "../helpers/rpcProxy";
import { startSpawnFixture, type SpawnFixture } from "../helpers/spawnFixture";

/** Hardhat account #2: the relay's key in this test (funded on the node, not the anchoring key). */
const RELAY_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

/**
 * Issue 12, item 1: `POST /v1/agreements` was open to anyone and paid by the anchoring key. Each case is an
 * attack on the relay, run against the built service over HTTP and a real Hardhat node.
 */
describe("attack: the agreement relay", function () {
  this.timeout(180_000);
  let f: SpawnFixture;
  const p = makeParties();

  before(async function () {
    f = await startSpawnFixture({ env: { RELAY_KEY, RELAY_QUOTA: "2", RELAY_GAS_MAX: "600000" } });
  });

  after(async function () {
    await f?.close();
  });

  const post = async (body: unknown, auth?: string) => f.post("/v1/agreements", body, auth);

  it("error: a registration without a token is refused (401 UNAUTHENTICATED) and sends nothing", async function () {
    const res = await post(await agreementBody(f.d, p, boundId(p)));
    expect(res.status, JSON.stringify(res.body)).to.equal(401);
    expect(res.body.error.code).to.equal("UNAUTHENTICATED");
  });

  it("error: a token of someone the terms do not name as platform or funder is refused (403 FORBIDDEN)", async function () {
    for (const who of [p.outsider, p.collector, p.channel]) {
      const res = await post(await agreementBody(f.d, p, boundId(p)), bearer(f.d, who));
      expect(res.status, JSON.stringify(res.body)).to.equal(403);
      expect(res.body.error.code).to.equal("FORBIDDEN");
    }
  });

  it("behavior: the platform's or the funder's token relays it, signed by RELAY_KEY and never by the anchoring key", async function () {
    const q = makeParties();
    const res = await post(await agreementBody(f.d, q, boundId(q)), bearer(f.d, q.funder));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const tx = await fetchTx(res.body.txHash as string);
    expect(tx.from.toLowerCase()).to.equal(new Wallet(RELAY_KEY).address.toLowerCase());
    expect(tx.from.toLowerCase()).to.not.equal(new Wallet(HARDHAT_KEY_0).address.toLowerCase());
  });

  it("error: past RELAY_QUOTA a party gets 429 QUOTA_EXCEEDED with Retry-After; another party still relays", async function () {
    const q = makeParties();
    for (let i = 0; i < 2; i++) {
      const ok = await post(await agreementBody(f.d, q, boundId(q)), bearer(f.d, q.platform));
      expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
    }
    const third = await agreementBody(f.d, q, boundId(q));
    const res = await fetch(f.url + "/v1/agreements", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: bearer(f.d, q.platform) },
      body: JSON.stringify(third),
    });
    expect(res.status).to.equal(429);
    expect(((await res.json()) as { error: { code: string } }).error.code).to.equal("QUOTA_EXCEEDED");
    expect(Number(res.headers.get("retry-after"))).to.be.within(1, 86_400);
    // The quota is the party's: the funder of the same agreement still has its own.
    const byFunder = await post(third, bearer(f.d, q.funder));
    expect(byFunder.status, JSON.stringify(byFunder.body)).to.equal(201);
  });

  it("error: an ID seen in the mempool cannot be taken first: its ID and salt with other parties are refused (400 INVALID_BODY) before anything is sent", async function () {
    const victim = makeParties();
    const agreementId = boundId(victim);
    const thief = makeParties();
    // The thief copies the ID and the salt of the pending registration and names itself platform and funder.
    const stolen = await agreementBody(f.d, thief, agreementId);
    const sentBefore = await relayTxCount();
    const res = await post(stolen, bearer(f.d, thief.platform));
    expect(res.status, JSON.stringify(res.body)).to.equal(400);
    expect(res.body.error.code).to.equal("INVALID_BODY");
    expect(res.body.error.details.field).to.equal("agreementId");
    expect(await relayTxCount()).to.equal(sentBefore);
    // The parties' own registration still goes through.
    const own = await post(await agreementBody(f.d, victim, agreementId), bearer(f.d, victim.platform));
    expect(own.status, JSON.stringify(own.body)).to.equal(201);
  });

  it("error: an agreement whose registration needs more gas than RELAY_GAS_MAX is refused before anything is sent", async function () {
    const q = makeParties();
    const channels = Array.from({ length: 32 }, () => Wallet.createRandom().address);
    const body = await agreementBody(f.d, q, boundId(q), 1, { ...termsOf(q), channels });
    const res = await post(body, bearer(f.d, q.platform));
    expect(res.status, JSON.stringify(res.body)).to.equal(400);
    expect(res.body.error.code).to.equal("INVALID_BODY");
    expect(res.body.error.details.reason).to.equal("gas");
    expect(res.body.error.details.gas).to.be.above(600_000);
  });

  it("error: without RELAY_KEY on a chain other than 31337 the relay answers 501 RELAY_DISABLED (and confirmations default to 12)", async function () {
    // The same node seen through a proxy that calls itself chain 1337: a chain where no dev key is assumed.
    const proxy: RpcProxy = await startRpcProxy(f.node.url, { chainId: 1337 });
    const g = await startSpawnFixture({ node: false, service: false });
    try {
      const env = { ...f.env, RPC_URL: proxy.url, DATA_DIR: g.dataDir, OPERATOR_KEY: HARDHAT_KEY_0, RELAY_KEY: "" };
      const svc = await g.start(env);
      const res = await fetch(svc.url + "/v1/agreements", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: bearer(f.d, p.platform) },
        body: JSON.stringify(await agreementBody(f.d, p, boundId(p))),
      });
      expect(res.status).to.equal(501);
      expect(((await res.json()) as { error: { code: string } }).error.code).to.equal("RELAY_DISABLED");
      // Off the local chain, CONFIRMATIONS unset means a safe depth, not 1.
      const info = (await (await fetch(svc.url + "/v1/info")).json()) as { confirmations: number };
      expect(info.confirmations).to.equal(12);
    } finally {
      await g.close();
      await proxy.close();
    }
  });

  async function relayTxCount(): Promise<string> {
    const res = await fetch(f.node.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "eth_getTransactionCount",
        params: [new Wallet(RELAY_KEY).address, "latest"],
      }),
    });
    return ((await res.json()) as { result: string }).result;
  }

  async function fetchTx(hash: string): Promise<{ from: string }> {
    const res = await fetch(f.node.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getTransactionByHash", params: [hash] }),
    });
    return ((await res.json()) as { result: { from: string } }).result;
  }
});
