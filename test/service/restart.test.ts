import path from "node:path";
import { expect } from "chai";
import { Contract, JsonRpcProvider, Transaction, Wallet, type InterfaceAbi } from "ethers";
import pino from "pino";
import { KIND } from "@repayproof/verifier";
import { readArtifact } from "../../scripts/lib/deployContracts";
import { ChildExitedError, deployOn, startHardhatNode } from "../../scripts/devnet";
import { Batcher } from "../../service/batches/Batcher";
import { PendingQueue } from "../../service/batches/PendingQueue";
import { HARDHAT_KEY_0 } from "../../service/config";
import { createMetrics } from "../../service/metrics";
import { defaultStream } from "../../service/server";
import { LevelStore } from "../../service/store/leveldb/LevelStore";
import { bearer, makeParties, makeReceipt, boundId, randomId, signReceipt, type Parties } from "../helpers/parties";
import { startSpawnFixture, type SpawnFixture } from "../helpers/spawnFixture";
import { waitFor } from "../helpers/waitFor";

const OPERATOR = new Wallet(HARDHAT_KEY_0).address;

/** Seals the pending queue of a stopped service's DATA_DIR into batch records, as a crash right after sealing leaves it. */
async function sealOffline(dir: string): Promise<{ seq: number; root: string; count: number; stateRoot?: string }> {
  const store = new LevelStore(dir);
  await store.open();
  try {
    const queue = new PendingQueue(store);
    await queue.init();
    const sink = { room: () => Promise.resolve(), enqueue: () => undefined };
    const opts = { batchMax: 1000, intervalMs: 3_600_000 };
    const batcher = new Batcher(store, queue, sink, opts, createMetrics(false), pino({ level: "silent" }));
    await batcher.init();
    const b = await batcher.seal();
    if (!b) throw new Error("nothing to seal");
    return b;
  } finally {
    await store.close();
  }
}

describe("restart", function () {
  this.timeout(240_000);
  let f: SpawnFixture;
  const p = makeParties();
  let agreementId: string;
  let provider: JsonRpcProvider;
  let anchor: Contract;
  let dirs = 0;

  before(async function () {
    // Each test starts its own service (on a data dir of its own) against this node.
    f = await startSpawnFixture({ service: false });
    agreementId = boundId(p);
    provider = new JsonRpcProvider(f.node.url, undefined, { cacheTimeout: -1 });
    anchor = new Contract(
      f.d.anchor,
      readArtifact("ReceiptAnchor").abi as InterfaceAbi,
      new Wallet(HARDHAT_KEY_0, provider),
    );
  });

  after(async function () {
    provider?.destroy();
    await f?.close();
  });

  const newDataDir = (): string => path.join(f.dir, `data-${++dirs}`);
  const items = (n: number, who: keyof Parties, kind: number): unknown[] =>
    Array.from({ length: n }, () => signReceipt(f.d, makeReceipt(agreementId, p[who], kind), p[who]).item);
  const batchOf = async (stream: string, seq: number) => (await f.get(`/v1/batches/${stream}/${seq}`)).body;

  it("behavior: receipts pending at a clean stop are anchored after the restart, with their original Acks", async function () {
    const env = { DATA_DIR: newDataDir(), REGULATORS: p.regulator.address };
    await f.start({ ...env, BATCH_INTERVAL_MS: "3600000" });
    await f.register(p, agreementId);
    const sent = items(30, "platform", KIND.DUE);
    const first = await f.post("/v1/receipts", { items: sent });
    expect(first.status).to.equal(202);
    expect((await f.stop("SIGTERM")).code, "a clean stop").to.equal(0);

    await f.start({ ...env, BATCH_INTERVAL_MS: "200" });
    const auth = bearer(f.d, p.regulator);
    const results = first.body.results as { digest: string; ack: unknown }[];
    await waitFor(
      "anchoring after restart",
      async () => (await f.get(`/v1/receipts/${results[29]!.digest}`, auth)).body.status === "final",
    );
    const again = await f.post("/v1/receipts", { items: sent });
    const replay = again.body.results as { digest: string; ack: unknown; status: string }[];
    expect(replay).to.have.length(30);
    replay.forEach((r, i) => {
      expect(r.digest).to.equal(results[i]!.digest);
      expect(r.ack).to.deep.equal(results[i]!.ack);
      expect(r.status).to.equal("final");
    });
    await f.stop();
  });

  it("behavior: a sealed batch the chain already anchored is marked anchored, never anchored twice", async function () {
    const stream = randomId();
    const env = { DATA_DIR: newDataDir(), STREAM: stream };
    await f.start({ ...env, BATCH_INTERVAL_MS: "3600000" });
    expect((await f.post("/v1/receipts", { items: items(5, "funder", KIND.CONFIRMED) })).status).to.equal(202);
    await f.stop();
    const sealed = await sealOffline(env.DATA_DIR);
    // The chain got the anchor (say the process died after broadcasting, before noting it).
    const external = await (
      await anchor.getFunction("anchorBatch")(stream, sealed.seq, sealed.root, sealed.count, sealed.stateRoot)
    ).wait();

    await f.start({ ...env, BATCH_INTERVAL_MS: "200" });
    await waitFor(
      "the batch to be recognised as anchored",
      async () => (await batchOf(stream, sealed.seq)).state === "final",
    );
    const b = await batchOf(stream, sealed.seq);
    expect(b.root).to.equal(sealed.root);
    expect(b.txHash, "the anchoring transaction found in the event log").to.equal(external.hash);
    expect(Number(await anchor.getFunction("nextSeq")(stream))).to.equal(1);
    const health = await f.get("/healthz");
    expect(health.body.ok).to.equal(true);
    expect(health.body.halted).to.equal(undefined);
    await f.stop();
  });

  it("behavior: a submitted transaction that never reached the node is rebroadcast on restart", async function () {
    const stream = randomId();
    const env = { DATA_DIR: newDataDir(), STREAM: stream };
    await f.start({ ...env, BATCH_INTERVAL_MS: "3600000" });
    expect((await f.post("/v1/receipts", { items: items(5, "funder", KIND.CONFIRMED) })).status).to.equal(202);
    await f.stop();
    const sealed = await sealOffline(env.DATA_DIR);
    // Sign the anchoring transaction and note it as SUBMITTED, but never broadcast it (a crash in between).
    const wallet = new Wallet(HARDHAT_KEY_0, provider);
    const tx = await wallet.populateTransaction({
      to: f.d.anchor,
      data: anchor.interface.encodeFunctionData("anchorBatch", [
        stream,
        sealed.seq,
        sealed.root,
        sealed.count,
        sealed.stateRoot,
      ]),
    });
    const raw = await wallet.signTransaction(tx);
    const hash = Transaction.from(raw).hash!;
    const store = new LevelStore(env.DATA_DIR);
    await store.open();
    const sealedRecord = (await store.getBatch(sealed.seq))!;
    const b = {
      ...sealedRecord,
      state: "SUBMITTED" as const,
      txs: [{ hash, nonce: Number(tx.nonce), raw, sentAt: Date.now() }],
    };
    await store.write([{ type: "batch", batch: b }]);
    await store.close();
    expect(await provider.getTransaction(hash), "never broadcast").to.equal(null);

    await f.start({ ...env, BATCH_INTERVAL_MS: "200" });
    await waitFor(
      "the rebroadcast transaction to anchor the batch",
      async () => (await batchOf(stream, sealed.seq)).state === "final",
    );
    expect((await batchOf(stream, sealed.seq)).txHash).to.equal(hash);
    expect(Number(await anchor.getFunction("nextSeq")(stream))).to.equal(1);
    await f.stop();
  });

  it("error: refuses to start on a DATA_DIR that belongs to another chain (a new node)", async function () {
    const dataDir = newDataDir();
    await f.start({ DATA_DIR: dataDir });
    await f.stop();
    const other = await startHardhatNode();
    try {
      const d2 = await deployOn(other.url);
      expect(d2.anchor).to.equal(f.d.anchor); // same deployer and nonce: only the chain identity tells them apart
      const err = await f
        .start({ DATA_DIR: dataDir, RPC_URL: other.url, DEPLOYMENT_BLOCK: String(d2.blockNumber) })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err, "the service must refuse to start").to.be.instanceOf(ChildExitedError);
      expect((err as ChildExitedError).code).to.equal(1);
      expect((err as ChildExitedError).output).to.match(/Refusing to mix/);
    } finally {
      await other.stop();
    }
  });

  it("behavior: the default stream is derived from the operator and stable", function () {
    expect(defaultStream(OPERATOR)).to.equal(defaultStream(OPERATOR.toLowerCase()));
  });
});
