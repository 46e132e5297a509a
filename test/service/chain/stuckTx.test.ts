import { expect } from "chai";
import { Contract, JsonRpcProvider, type InterfaceAbi } from "ethers";
import { KIND } from "@repayproof/verifier";
import { readArtifact } from "../../../scripts/lib/deployContracts";
import { LevelStore } from "../../../service/store/leveldb/LevelStore";
import { makeParties, makeReceipt, boundId, signReceipt } from "../../helpers/parties";
import { startSpawnFixture, type SpawnFixture } from "../../helpers/spawnFixture";
import { waitFor } from "../../helpers/waitFor";

interface PendingTx {
  hash: string;
  nonce: string;
  from: string;
  to: string | null;
  maxFeePerGas?: string;
}

describe("stuck anchoring transaction (service process)", function () {
  this.timeout(120_000);
  let f: SpawnFixture;
  let provider: JsonRpcProvider;

  before(async function () {
    f = await startSpawnFixture({ env: { BATCH_INTERVAL_MS: "200", TX_STUCK_S: "1" } });
    provider = new JsonRpcProvider(f.node.url, undefined, { cacheTimeout: -1 });
  });

  after(async function () {
    await provider?.send("evm_setAutomine", [true]).catch(() => undefined);
    provider?.destroy();
    await f?.close();
  });

  it("behavior: is replaced with the same nonce and higher fees, and the batch is anchored once, by the replacement", async function () {
    const p = makeParties();
    const agreementId = boundId(p);
    await f.register(p, agreementId);
    const { stream, operator } = (await f.get("/v1/info")).body as { stream: string; operator: string };

    // Stop mining: the anchoring transaction will sit in the node's mempool.
    await provider.send("evm_setAutomine", [false]);
    const items = Array.from(
      { length: 3 },
      () => signReceipt(f.d, makeReceipt(agreementId, p.platform, KIND.DUE), p.platform).item,
    );
    expect((await f.post("/v1/receipts", { items })).status).to.equal(202);
    // What the node holds, seen from outside: the operator's anchoring transactions in its pending block.
    const seen = new Map<string, PendingTx>();
    await waitFor(
      "a replacement transaction in the node's mempool",
      async () => {
        const block = (await provider.send("eth_getBlockByNumber", ["pending", true])) as { transactions: PendingTx[] };
        for (const t of block.transactions) {
          if (t.from.toLowerCase() === operator.toLowerCase() && t.to?.toLowerCase() === f.d.anchor.toLowerCase())
            seen.set(t.hash, t);
        }
        return seen.size >= 2;
      },
      30_000,
      100,
    );
    expect((await f.get(`/v1/batches/${stream}/0`)).body.state).to.equal("submitted");
    const [first, second] = [...seen.values()];
    expect(BigInt(second!.nonce)).to.equal(BigInt(first!.nonce));
    expect(BigInt(second!.maxFeePerGas!) * 10n).to.be.at.least(BigInt(first!.maxFeePerGas!) * 11n);

    await provider.send("evm_setAutomine", [true]);
    await provider.send("evm_mine", []);
    await waitFor(
      "the batch to be final",
      async () => (await f.get(`/v1/batches/${stream}/0`)).body.state === "final",
      30_000,
    );
    const final = (await f.get(`/v1/batches/${stream}/0`)).body as { txHash: string };
    expect(final.txHash).to.not.equal(first!.hash);
    expect([...seen.keys()].slice(1)).to.include(final.txHash);
    expect(await provider.getTransactionReceipt(first!.hash), "the replaced transaction is never mined").to.equal(null);
    const anchor = new Contract(f.d.anchor, readArtifact("ReceiptAnchor").abi as InterfaceAbi, provider);
    expect(Number(await anchor.getFunction("nextSeq")(stream))).to.equal(1);

    // The service noted every transaction it signed, each before broadcasting it: the same ones the node saw.
    await f.stop();
    const store = new LevelStore(f.dataDir);
    await store.open();
    try {
      const b = (await store.getBatch(0))!;
      expect(b.state).to.equal("FINAL");
      expect(b.txs.length).to.be.at.least(2);
      expect(b.txs.every((t) => t.nonce === b.txs[0]!.nonce)).to.equal(true);
      for (const t of seen.keys()) expect(b.txs.map((x) => x.hash)).to.include(t);
      expect(BigInt(b.txs[1]!.maxFeePerGas!)).to.be.greaterThan(BigInt(b.txs[0]!.maxFeePerGas!));
    } finally {
      await store.close();
    }
  });
});
