import { expect } from "chai";
import { Contract, JsonRpcProvider, Wallet, type InterfaceAbi } from "ethers";
import { readArtifact } from "../../scripts/lib/deployContracts";
import { HARDHAT_KEY_0 } from "../../service/config";
import { makeParties, boundId } from "../helpers/parties";
import { submitReceipt, waitForStatus } from "../helpers/receiptFlow";
import { startSpawnFixture, type SpawnFixture } from "../helpers/spawnFixture";
import { waitFor } from "../helpers/waitFor";

const OPERATOR = new Wallet(HARDHAT_KEY_0).address;

interface Batch {
  seq: number;
  root: string;
  count: number;
  stateRoot: string;
  state: string;
  txHash: string | null;
  blockNumber: number | null;
  anchoredAt: number | null;
}

/**
 * Issue 12, item 3: a reorg before FINAL. An anchor removed by a reorg halted the service ("nextSeq differs")
 * as soon as the next batch came; an anchor moved to another block kept its stale block, time and transaction.
 * Reorgs are made with evm_snapshot / evm_revert on a real Hardhat node, with CONFIRMATIONS=3.
 */
describe("attack: reorgs before FINAL", function () {
  this.timeout(240_000);
  let f: SpawnFixture;
  let provider: JsonRpcProvider;
  let anchor: Contract;
  const p = makeParties();
  let agreementId: string;
  let stream: string;

  // A fresh node and service per case: each reorg is judged on its own.
  beforeEach(async function () {
    f = await startSpawnFixture({ env: { CONFIRMATIONS: "3", BATCH_INTERVAL_MS: "200" } });
    provider = new JsonRpcProvider(f.node.url, undefined, { cacheTimeout: -1 });
    anchor = new Contract(f.d.anchor, readArtifact("ReceiptAnchor").abi as InterfaceAbi, provider);
    agreementId = boundId(p);
    await f.register(p, agreementId);
    stream = (await f.get("/v1/info")).body.stream as string;
  });

  afterEach(async function () {
    provider?.destroy();
    await f?.close();
  });

  const batch = async (seq: number): Promise<Batch> => (await f.get(`/v1/batches/${stream}/${seq}`)).body as Batch;
  const anchorOf = async (root: string) => {
    const [s, seq, count, timestamp, blockNumber] = (await anchor.getFunction("anchorOf")(root)) as bigint[];
    return {
      stream: s,
      seq: Number(seq),
      count: Number(count),
      timestamp: Number(timestamp),
      block: Number(blockNumber),
    };
  };
  /** The batch as stored matches its anchor on chain: block, time, and a transaction mined in that block. */
  const matchesChain = async (b: Batch): Promise<void> => {
    const a = await anchorOf(b.root);
    expect(a.seq, `batch ${b.seq} anchored at its seq`).to.equal(b.seq);
    expect(b.blockNumber).to.equal(a.block);
    expect(b.anchoredAt).to.equal(a.timestamp);
    const r = await provider.getTransactionReceipt(b.txHash!);
    expect(r?.blockNumber, "its txHash is the transaction that anchored it").to.equal(a.block);
  };

  it("behavior: an anchor removed by a reorg is anchored again with the same root; the next batch does not halt anchoring", async function () {
    const snapshot = (await provider.send("evm_snapshot", [])) as string;
    const first = await submitReceipt(f, p, agreementId);
    await waitForStatus(f, p, first, ["anchored"]);
    const before = await batch(0);
    await provider.send("evm_revert", [snapshot]); // the anchoring block is gone, and its transaction with it
    expect((await anchorOf(before.root)).timestamp).to.equal(0);

    const second = await submitReceipt(f, p, agreementId);
    await waitForStatus(f, p, first, ["anchored"]);
    await waitForStatus(f, p, second, ["anchored"]);
    expect((await f.get("/healthz")).status, "not halted").to.equal(200);
    const again = await batch(0);
    expect(again.root, "the same root").to.equal(before.root);
    await matchesChain(again);
    // The nonce the reorg took back was used again: nothing of ours waits behind a gap.
    expect(await provider.getTransactionCount(OPERATOR, "pending")).to.equal(
      await provider.getTransactionCount(OPERATOR, "latest"),
    );
    await provider.send("hardhat_mine", ["0x3"]);
    await waitForStatus(f, p, first, ["final"]);
    await waitForStatus(f, p, second, ["final"]);
    await matchesChain(await batch(0));
    await matchesChain(await batch(1));
  });

  it("behavior: an anchor a reorg moved to another block and transaction is recorded with its new block, time and txHash", async function () {
    const snapshot = (await provider.send("evm_snapshot", [])) as string;
    const digest = await submitReceipt(f, p, agreementId);
    await waitForStatus(f, p, digest, ["anchored"]);
    const before = await batch(0);
    await f.stop();
    // The other branch: the anchoring transaction lands a block later, later in time, with other fees (another hash).
    await provider.send("evm_revert", [snapshot]);
    await provider.send("evm_increaseTime", [600]);
    await provider.send("evm_mine", []);
    const operator = new Wallet(HARDHAT_KEY_0, provider);
    const tx = await (anchor.connect(operator) as Contract).getFunction("anchorBatch")(
      stream,
      before.seq,
      before.root,
      before.count,
      before.stateRoot,
      { maxPriorityFeePerGas: 2_000_000_000n, maxFeePerGas: 50_000_000_000n },
    );
    await tx.wait();
    expect(tx.hash).to.not.equal(before.txHash);
    await f.start();
    await provider.send("hardhat_mine", ["0x3"]);
    await waitForStatus(f, p, digest, ["final"]);
    const after = await batch(0);
    expect(after.txHash).to.equal(tx.hash);
    expect(after.blockNumber).to.equal(before.blockNumber! + 1);
    expect(after.anchoredAt).to.be.above(before.anchoredAt!);
    await matchesChain(after);
    await waitFor("healthy", async () => (await f.get("/healthz")).status === 200, 5_000);
  });
});
