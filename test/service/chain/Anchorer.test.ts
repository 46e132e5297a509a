import path from "node:path";
import { expect } from "chai";
import pino from "pino";
import { hexlify, randomBytes } from "ethers";
import { buildTree, readAnchorOf, readNextSeq } from "@repayproof/verifier";
import { Backlog } from "../../../service/batches/Backlog";
import { AnchorTx } from "../../../service/chain/AnchorTx";
import { Anchorer, MAX_WAITING_BATCHES } from "../../../service/chain/Anchorer";
import { TxSender } from "../../../service/chain/TxSender";
import { createMetrics } from "../../../service/metrics";
import { LevelStore } from "../../../service/store/leveldb/LevelStore";
import type { BatchRecord, SentTx } from "../../../service/store/records";
import { startChainFixture, type ChainFixture } from "../../helpers/chainFixture";
import { tempDir, type TempDir } from "../../helpers/tempDir";
import { waitFor } from "../../helpers/waitFor";

const silent = pino({ level: "silent" });
const hex32 = (): string => hexlify(randomBytes(32));

describe("Anchorer (a real node, a real LevelDB)", function () {
  this.timeout(120_000);
  let c: ChainFixture;
  let tmp: TempDir;
  let store: LevelStore;
  let stream: string;
  let backlog: Backlog;
  let told: BatchRecord[];
  let anchorer: Anchorer | undefined;

  before(async function () {
    c = await startChainFixture();
  });

  beforeEach(async function () {
    tmp = tempDir();
    store = new LevelStore(path.join(tmp.dir, "db"));
    await store.open();
    stream = hex32();
    told = [];
  });

  afterEach(async function () {
    await anchorer?.close();
    anchorer = undefined;
    await c.provider.send("evm_setAutomine", [true]);
    await store.close();
    tmp.remove();
  });

  after(async function () {
    await c?.close();
  });

  /** Puts a sealed batch of `count` fresh digests on disk, as the batcher does, and counts it in the backlog. */
  async function seal(seq: number, count = 3, txs: SentTx[] = []): Promise<BatchRecord> {
    const digests = Array.from({ length: count }, hex32);
    const b: BatchRecord = {
      seq,
      root: buildTree(digests).root,
      count,
      stateRoot: hex32(),
      state: txs.length ? "SUBMITTED" : "SEALED",
      sealedAt: Date.now(),
      txs,
    };
    await store.write([
      { type: "batch", batch: b },
      { type: "leaves", seq, leaves: { digests, acceptedAtMs: digests.map(() => Date.now()) } },
    ]);
    return b;
  }

  /** An anchorer over what is on disk (init() reads it, as after a start). */
  async function makeAnchorer(unanchored: number, confirmations = 2): Promise<Anchorer> {
    backlog = new Backlog(1000, unanchored);
    const sender = new TxSender(c.chain, { maxFeeWei: 10n ** 12n });
    const tx = new AnchorTx(c.chain, sender, stream, 60_000, silent);
    const opts = { stream, confirmations, pollMs: 50, onAnchored: (b: BatchRecord) => void told.push(b) };
    anchorer = new Anchorer(c.chain, tx, store, backlog, opts, createMetrics(false), silent);
    await anchorer.init();
    return anchorer;
  }

  const state = async (seq: number) => (await store.getBatch(seq))?.state;
  const nonce = () => c.provider.getTransactionCount(c.wallet.address, "latest");

  it("behavior: moves a batch SEALED → SUBMITTED → ANCHORED → FINAL on the chain, each state on disk", async function () {
    const b = await seal(0);
    const a = await makeAnchorer(3);
    expect(a.unanchoredReceipts()).to.equal(3);

    expect(await a.step()).to.equal(true);
    const submitted = (await store.getBatch(0))!;
    expect(submitted.state).to.equal("SUBMITTED");
    expect(submitted.txs).to.have.length(1);

    expect(await a.step()).to.equal(true);
    const anchored = (await store.getBatch(0))!;
    expect(anchored.state).to.equal("ANCHORED");
    expect(anchored.txHash).to.equal(submitted.txs[0]!.hash);
    const onChain = await readAnchorOf(c.provider, c.d.anchor, b.root);
    expect(onChain).to.include({ seq: 0, count: 3, blockNumber: anchored.blockNumber, timestamp: anchored.anchoredAt });
    expect(onChain.stream.toLowerCase()).to.equal(stream);
    expect(told).to.deep.equal([anchored]);
    expect(backlog.size(), "its receipts leave the backlog").to.equal(0);
    expect(a.unanchoredReceipts()).to.equal(0);

    expect(await a.step(), "one confirmation of two: not final yet").to.equal(false);
    expect(await state(0)).to.equal("ANCHORED");
    await c.provider.send("evm_mine", []);
    expect(await a.step()).to.equal(true);
    expect(await state(0)).to.equal("FINAL");
    expect(told, "told once").to.have.length(1);
    expect(a.halted).to.equal(undefined);
  });

  it("behavior: a batch whose root the chain already anchored is marked ANCHORED without a second transaction", async function () {
    const b = await seal(0);
    const external = await (await c.anchor.getFunction("anchorBatch")(stream, 0, b.root, b.count, b.stateRoot)).wait();
    const a = await makeAnchorer(3);
    const before = await nonce();
    expect(await a.step()).to.equal(true);
    const anchored = (await store.getBatch(0))!;
    expect(anchored.state).to.equal("ANCHORED");
    expect(anchored.txs, "nothing signed").to.deep.equal([]);
    expect(anchored.txHash, "the anchoring transaction, from the event log").to.equal(external.hash);
    expect(await nonce(), "no transaction sent").to.equal(before);
    expect(await readNextSeq(c.provider, c.d.anchor, stream)).to.equal(1);
    expect(told).to.have.length(1);
  });

  it("behavior: a dropped transaction is resubmitted with a new nonce, and that one anchors the batch", async function () {
    // SUBMITTED with a transaction signed and persisted, but never broadcast (a crash in between)…
    const n = await nonce();
    const sealedBatch = await seal(0);
    const signedFor = await c.signAnchorOnly(stream, sealedBatch, n);
    await store.write([{ type: "batch", batch: { ...sealedBatch, state: "SUBMITTED", txs: [signedFor] } }]);
    // …and meanwhile our nonce went to another transaction: that one can never be mined now.
    await (await c.wallet.sendTransaction({ to: c.wallet.address, value: 1n, nonce: n })).wait();
    const a = await makeAnchorer(3);

    expect(await a.step()).to.equal(true);
    expect(await state(0), "back to SEALED, to be submitted again").to.equal("SEALED");
    expect(await a.step()).to.equal(true);
    const resubmitted = (await store.getBatch(0))!;
    expect(resubmitted.state).to.equal("SUBMITTED");
    expect(resubmitted.txs).to.have.length(2);
    expect(resubmitted.txs[0]!.hash, "the dropped one is kept on record").to.equal(signedFor.hash);
    expect(resubmitted.txs[1]!.nonce).to.be.greaterThan(n);
    expect(await a.step()).to.equal(true);
    const anchored = (await store.getBatch(0))!;
    expect(anchored.state).to.equal("ANCHORED");
    expect(anchored.txHash).to.equal(resubmitted.txs[1]!.hash);
    expect(await c.provider.getTransaction(signedFor.hash), "the dropped one never reached the node").to.equal(null);
  });

  it("behavior: halts, sending nothing, when the stream's next seq shows the batch's seq taken by another root", async function () {
    await (await c.anchor.getFunction("anchorBatch")(stream, 0, hex32(), 5, hex32())).wait();
    await seal(0);
    const a = await makeAnchorer(3);
    const before = await nonce();
    a.start();
    await waitFor("the anchorer to halt", () => a.halted !== undefined, 10_000, 20);
    expect(a.halted, "why, for /healthz").to.be.a("string");
    await new Promise((r) => setTimeout(r, 300)); // several poll intervals: it must not try again
    expect(await nonce(), "no transaction").to.equal(before);
    expect(await state(0)).to.equal("SEALED");
    expect(told).to.deep.equal([]);
  });

  it(`behavior: room() holds the batcher back while ${MAX_WAITING_BATCHES} batches wait for the chain`, async function () {
    await c.provider.send("evm_setAutomine", [false]);
    const a = await makeAnchorer(0, 1);
    a.start();
    for (let seq = 0; seq < MAX_WAITING_BATCHES; seq++) a.enqueue(await seal(seq));
    let room = false;
    const waiting = a.room().then(() => (room = true));
    await waitFor("the first submission", async () => (await state(0)) === "SUBMITTED", 10_000, 20);
    await new Promise((r) => setTimeout(r, 200));
    expect(room, "no room while both wait").to.equal(false);
    await c.provider.send("evm_setAutomine", [true]);
    await c.provider.send("evm_mine", []);
    await waiting;
    expect(room).to.equal(true);
    await waitFor("both final", async () => (await state(0)) === "FINAL" && (await state(1)) === "FINAL", 20_000, 50);
    expect(await readNextSeq(c.provider, c.d.anchor, stream)).to.equal(MAX_WAITING_BATCHES);
  });
});
