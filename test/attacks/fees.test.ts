import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseUnits, toQuantity } from "ethers";
import { HARDHAT_KEY_0 } from "../../service/config";
import { makeParties, boundId } from "../helpers/parties";
import { metric, statusOf, submitReceipt, waitForStatus } from "../helpers/receiptFlow";
import { startRpcProxy, type RpcProxy } from "../helpers/rpcProxy";
import { startSpawnFixture, type SpawnFixture } from "../helpers/spawnFixture";
import { waitFor } from "../helpers/waitFor";

const OPERATOR = new Wallet(HARDHAT_KEY_0).address;
const CAP_GWEI = 5;
const CAP = parseUnits(String(CAP_GWEI), "gwei");

/**
 * Issue 12, item 2 (fees): the anchorer bid whatever the market asked and, for a stuck transaction, bumped its
 * fees by 25% again and again with no ceiling. Now nothing above MAX_FEE_GWEI is bid; an anchor held by the cap
 * raises the alert (metric, log, /healthz) and goes out once fees fall. Gas spikes are made on a real Hardhat
 * node (hardhat_setNextBlockBaseFeePerGas); the service's broadcasts are read off an RPC proxy.
 */
describe("attack: a gas spike above MAX_FEE_GWEI", function () {
  this.timeout(240_000);
  let f: SpawnFixture;
  let proxy: RpcProxy;
  let provider: JsonRpcProvider;
  const p = makeParties();
  let agreementId: string;

  before(async function () {
    f = await startSpawnFixture({ service: false });
    proxy = await startRpcProxy(f.node.url);
    const env = { RPC_URL: proxy.url, BATCH_INTERVAL_MS: "200", TX_STUCK_S: "1", MAX_FEE_GWEI: String(CAP_GWEI) };
    await f.start(env);
    provider = new JsonRpcProvider(f.node.url, undefined, { cacheTimeout: -1 });
    agreementId = boundId(p);
    await f.register(p, agreementId);
  });

  afterEach(async function () {
    await provider.send("evm_setAutomine", [true]);
  });

  after(async function () {
    provider?.destroy();
    await f?.close();
    await proxy?.close();
  });

  /** The next block's base fee is `gwei`, and a block is mined with it (so the latest block shows it). */
  const baseFee = async (gwei: number): Promise<void> => {
    await provider.send("hardhat_setNextBlockBaseFeePerGas", [toQuantity(parseUnits(String(gwei), "gwei"))]);
    await provider.send("evm_mine", []);
  };
  const operatorBids = (): bigint[] =>
    proxy
      .broadcasts()
      .filter((t) => t.from === OPERATOR)
      .map((t) => t.maxFeePerGas ?? t.gasPrice ?? 0n);
  const health = async (): Promise<{ ok: boolean; feeCapped?: { details: { capWei: string } } }> =>
    (await f.get("/healthz")).body;

  it("behavior: a batch sealed during the spike is held (no bid above the cap), the alert is raised, and it is anchored once fees fall", async function () {
    const bidsBefore = operatorBids().length;
    await baseFee(50);
    const digest = await submitReceipt(f, p, agreementId);
    await waitFor("the fee-cap alert", async () => (await metric(f, "repayproof_anchor_fee_capped")) === 1, 15_000);
    expect((await health()).feeCapped?.details.capWei).to.equal(String(CAP));
    expect((await health()).ok, "held, not halted").to.equal(true);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await statusOf(f, p, digest)).to.equal("sealed");
    expect(operatorBids().slice(bidsBefore), "nothing bid while the base fee is above the cap").to.deep.equal([]);

    await baseFee(1);
    await waitForStatus(f, p, digest, ["anchored", "final"], 20_000);
    await waitFor("the alert cleared", async () => (await metric(f, "repayproof_anchor_fee_capped")) === 0, 10_000);
    expect((await health()).feeCapped).to.equal(undefined);
    for (const bid of operatorBids()) expect(bid <= CAP, `bid ${bid} ≤ cap ${CAP}`).to.equal(true);
  });

  it("behavior: a stuck anchor is not outbid past the cap when fees spike; the alert is raised and it is mined once fees fall", async function () {
    await baseFee(1);
    await provider.send("evm_setAutomine", [false]);
    const bidsBefore = operatorBids().length;
    const digest = await submitReceipt(f, p, agreementId);
    await waitFor("the anchoring broadcast", () => operatorBids().length > bidsBefore, 15_000);
    await baseFee(50); // mines a block our transaction cannot enter
    await waitFor("the fee-cap alert", async () => (await metric(f, "repayproof_anchor_fee_capped")) === 1, 15_000);
    await new Promise((r) => setTimeout(r, 3000)); // three TX_STUCK_S periods: no bidding war
    const bids = operatorBids().slice(bidsBefore);
    expect(bids.length, "the first bid, and at most one replacement within the cap").to.be.within(1, 2);
    for (const bid of bids) expect(bid <= CAP, `bid ${bid} ≤ cap ${CAP}`).to.equal(true);
    expect(await statusOf(f, p, digest)).to.equal("submitted");

    await baseFee(1); // fees fall: the held transaction enters this block
    await provider.send("evm_setAutomine", [true]);
    await waitForStatus(f, p, digest, ["anchored", "final"], 20_000);
    await waitFor("the alert cleared", async () => (await metric(f, "repayproof_anchor_fee_capped")) === 0, 10_000);
  });
});
