import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";
import { HARDHAT_KEY_0 } from "../../service/config";
import { agreementBody, bearer, makeParties, boundId } from "../helpers/parties";
import { metric, submitReceipt, waitForStatus } from "../helpers/receiptFlow";
import { startRpcProxy, type RpcProxy } from "../helpers/rpcProxy";
import { startSpawnFixture, type SpawnFixture } from "../helpers/spawnFixture";

const OPERATOR = new Wallet(HARDHAT_KEY_0).address;

/**
 * Issue 12, item 2 (nonces): the sender advanced its nonce before the node accepted the broadcast, so one refused
 * transaction left a gap that stalled every later one of that key; and the relay shared the anchoring key. The
 * service reaches a real Hardhat node through an RPC proxy that refuses the broadcasts the test picks.
 */
describe("attack: refused broadcasts and nonce gaps", function () {
  this.timeout(240_000);
  let f: SpawnFixture;
  let proxy: RpcProxy;
  let provider: JsonRpcProvider;
  const p = makeParties();
  let agreementId: string;

  before(async function () {
    f = await startSpawnFixture({ service: false });
    proxy = await startRpcProxy(f.node.url);
    await f.start({ RPC_URL: proxy.url, BATCH_INTERVAL_MS: "200", TX_STUCK_S: "2" });
    provider = new JsonRpcProvider(f.node.url, undefined, { cacheTimeout: -1 });
    agreementId = boundId(p);
    await f.register(p, agreementId);
  });

  after(async function () {
    provider?.destroy();
    await f?.close();
    await proxy?.close();
  });

  /** No transaction of `who` waits in the node behind a missing nonce. */
  const noGap = async (who: string): Promise<void> => {
    expect(await provider.getTransactionCount(who, "pending")).to.equal(
      await provider.getTransactionCount(who, "latest"),
    );
  };

  it("behavior: a refused relay broadcast leaves no gap: the same request then succeeds and anchoring goes on", async function () {
    const q = makeParties();
    const qAgreement = boundId(q);
    const body = await agreementBody(f.d, q, qAgreement);
    proxy.refuseNext(1);
    const refused = await f.post("/v1/agreements", body, bearer(f.d, q.platform));
    expect(refused.status, JSON.stringify(refused.body)).to.equal(503);
    expect(refused.body.error.code).to.equal("CHAIN_UNAVAILABLE");
    const again = await f.post("/v1/agreements", body, bearer(f.d, q.platform));
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
    const relayer = (await provider.getTransaction(again.body.txHash as string))!.from;
    expect(relayer.toLowerCase(), "the relay has a key of its own").to.not.equal(OPERATOR.toLowerCase());
    await noGap(relayer);

    const digest = await submitReceipt(f, q, qAgreement);
    await waitForStatus(f, q, digest, ["anchored", "final"], 20_000);
    await noGap(OPERATOR);
  });

  it("behavior: a refused anchoring broadcast is sent again with the same nonce, and later batches follow without a gap", async function () {
    const before = await provider.getTransactionCount(OPERATOR, "latest");
    const refusedBefore = await metric(f, "repayproof_broadcasts_refused_total");
    proxy.refuseNext(2, OPERATOR);
    const first = await submitReceipt(f, p, agreementId);
    await waitForStatus(f, p, first, ["anchored", "final"], 30_000);
    expect(await metric(f, "repayproof_broadcasts_refused_total")).to.be.at.least(refusedBefore + 1);
    const second = await submitReceipt(f, p, agreementId);
    await waitForStatus(f, p, second, ["anchored", "final"], 20_000);
    // Two batches, two mined transactions: the refused ones used no nonce.
    expect(await provider.getTransactionCount(OPERATOR, "latest")).to.equal(before + 2);
    await noGap(OPERATOR);
    const sent = proxy.broadcasts().filter((t) => t.from === OPERATOR && t.nonce >= before);
    expect(Math.max(...sent.map((t) => t.nonce))).to.equal(before + 1);
  });
});
