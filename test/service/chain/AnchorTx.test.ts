import { expect } from "chai";
import pino from "pino";
import { Transaction, hexlify, randomBytes } from "ethers";
import { readAnchorOf } from "@repayproof/verifier";
import { ANCHOR_ABI } from "../../../service/chain/abi";
import { AnchorTx } from "../../../service/chain/AnchorTx";
import { TxSender } from "../../../service/chain/TxSender";
import type { BatchRecord, SentTx } from "../../../service/store/records";
import { startChainFixture, type ChainFixture } from "../../helpers/chainFixture";

const silent = pino({ level: "silent" });
const hex32 = (): string => hexlify(randomBytes(32));

describe("AnchorTx (a real node)", function () {
  this.timeout(120_000);
  let c: ChainFixture;
  let sender: TxSender;
  let stream: string;

  before(async function () {
    c = await startChainFixture();
  });

  beforeEach(function () {
    sender = new TxSender(c.chain, { maxFeeWei: 10n ** 12n });
    stream = hex32();
  });

  afterEach(async function () {
    await c.provider.send("evm_setAutomine", [true]);
    await c.provider.send("evm_mine", []);
  });

  after(async function () {
    await c?.close();
  });

  const anchorTx = (txStuckMs = 60_000): AnchorTx => new AnchorTx(c.chain, sender, stream, txStuckMs, silent);
  const sealed = (seq = 0, txs: SentTx[] = []): BatchRecord => ({
    seq,
    root: hex32(),
    count: 3,
    stateRoot: hex32(),
    state: txs.length ? "SUBMITTED" : "SEALED",
    sealedAt: Date.now(),
    txs,
  });
  const signedOnly = (b: BatchRecord, nonce: number): Promise<SentTx> => c.signAnchorOnly(stream, b, nonce);
  const nonce = () => c.provider.getTransactionCount(c.wallet.address, "latest");
  const anchored = async (root: string) => (await readAnchorOf(c.provider, c.d.anchor, root)).timestamp !== 0;

  it("behavior: submit persists the signed anchorBatch, then broadcasts it; the root is anchored", async function () {
    const b = sealed();
    const persisted: SentTx[] = [];
    await anchorTx().submit(b, async (tx) => void persisted.push(tx));
    expect(persisted).to.have.length(1);
    const tx = Transaction.from(persisted[0]!.raw);
    expect(tx.to).to.equal(c.d.anchor);
    expect(ANCHOR_ABI.decodeFunctionData("anchorBatch", tx.data).toArray()).to.deep.equal([
      stream,
      0n,
      b.root,
      3n,
      b.stateRoot,
    ]);
    expect(await anchored(b.root)).to.equal(true);
  });

  it("error: a batch the contract would refuse fails the static call and costs nothing (no signature, no nonce)", async function () {
    const b = sealed(5); // the stream's next seq is 0
    const before = await nonce();
    let persisted = false;
    const err = await anchorTx()
      .submit(b, async () => void (persisted = true))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    const data = (err as { data?: string }).data;
    expect(data, "a revert").to.be.a("string");
    expect(ANCHOR_ABI.parseError(data!)?.name).to.equal("ReceiptAnchorInvalidSequence");
    expect(persisted).to.equal(false);
    expect(await nonce()).to.equal(before);
  });

  it("behavior: followUp waits for a pending transaction, and asks to replace it once stuck", async function () {
    await c.provider.send("evm_setAutomine", [false]);
    let b = sealed();
    await anchorTx().submit(b, async (tx) => void (b = { ...b, state: "SUBMITTED", txs: [tx] }));
    expect(await anchorTx(60_000).followUp(b)).to.deep.equal({ kind: "waiting" });
    expect(await anchorTx(0).followUp(b)).to.deep.equal({ kind: "replace", tx: b.txs[0] });
  });

  it("behavior: followUp rebroadcasts a transaction the node does not know (never sent), and waits", async function () {
    const b0 = sealed();
    const tx = await signedOnly(b0, await nonce());
    const b = { ...b0, state: "SUBMITTED" as const, txs: [tx] };
    expect(await c.provider.getTransaction(tx.hash)).to.equal(null);
    expect(await anchorTx().followUp(b)).to.deep.equal({ kind: "waiting" });
    expect((await c.provider.getTransactionReceipt(tx.hash))?.status, "rebroadcast and mined").to.equal(1);
    expect(await anchored(b.root)).to.equal(true);
  });

  it("behavior: followUp asks to resubmit a dropped transaction (its nonce taken by another)", async function () {
    const b0 = sealed();
    const n = await nonce();
    const tx = await signedOnly(b0, n);
    await (await c.wallet.sendTransaction({ to: c.wallet.address, value: 1n, nonce: n })).wait();
    const b = { ...b0, state: "SUBMITTED" as const, txs: [tx] };
    expect(await anchorTx().followUp(b)).to.deep.equal({ kind: "resubmit", why: "dropped" });
    expect(await c.provider.getTransaction(tx.hash), "not rebroadcast").to.equal(null);
  });

  it("behavior: followUp asks to resubmit a mined transaction that reverted, and one with no transaction", async function () {
    const b0 = sealed(9); // reverts: the stream's next seq is 0
    const n = await nonce();
    const { raw } = await c.signAnchorOnly(stream, b0, n, 200_000n);
    const hash = Transaction.from(raw).hash!;
    await c.provider.broadcastTransaction(raw).catch(() => undefined); // Hardhat mines it, and reports the revert
    expect((await c.provider.getTransactionReceipt(hash))?.status, "mined, reverted").to.equal(0);
    const b = { ...b0, state: "SUBMITTED" as const, txs: [{ hash, nonce: n, raw, sentAt: Date.now() }] };
    expect(await anchorTx().followUp(b)).to.deep.equal({ kind: "resubmit", why: "reverted" });
    expect(await anchorTx().followUp({ ...b, txs: [] })).to.deep.equal({ kind: "resubmit", why: "no transaction" });
  });

  it("behavior: findTx names our own transaction, or finds whoever anchored the root in the event log", async function () {
    let ours = sealed();
    await anchorTx().submit(ours, async (tx) => void (ours = { ...ours, txs: [tx] }));
    const a = await readAnchorOf(c.provider, c.d.anchor, ours.root);
    expect(await anchorTx().findTx(ours, a.blockNumber)).to.equal(ours.txs[0]!.hash);

    const theirs = sealed(1);
    const external = await (
      await c.anchor.getFunction("anchorBatch")(stream, theirs.seq, theirs.root, theirs.count, theirs.stateRoot)
    ).wait();
    const b = await readAnchorOf(c.provider, c.d.anchor, theirs.root);
    expect(await anchorTx().findTx(theirs, b.blockNumber)).to.equal(external.hash);
  });
});
