import { expect } from "chai";
import { Transaction, Wallet, hexlify, parseEther, randomBytes, toQuantity } from "ethers";
import { ANCHOR_ABI } from "../../../service/chain/abi";
import { TxSender } from "../../../service/chain/TxSender";
import type { SentTx } from "../../../service/store/records";
import { startChainFixture, type ChainFixture } from "../../helpers/chainFixture";

describe("TxSender (a real node)", function () {
  this.timeout(120_000);
  let c: ChainFixture;
  let sender: TxSender;

  before(async function () {
    c = await startChainFixture();
  });

  beforeEach(function () {
    sender = new TxSender(c.chain, { maxFeeWei: 10n ** 12n });
  });

  afterEach(async function () {
    await c.provider.send("evm_setAutomine", [true]);
    await c.provider.send("evm_mine", []);
  });

  after(async function () {
    await c?.close();
  });

  /** A transaction that always succeeds: anchoring a fresh root on a fresh stream at seq 0. */
  const anchorTx = () => ({
    to: c.d.anchor,
    data: ANCHOR_ABI.encodeFunctionData("anchorBatch", [
      hexlify(randomBytes(32)),
      0,
      hexlify(randomBytes(32)),
      1,
      hexlify(randomBytes(32)),
    ]),
  });
  const nonceOnChain = (tag: "latest" | "pending" = "latest") => c.provider.getTransactionCount(c.wallet.address, tag);
  const pendingHashes = async (): Promise<string[]> =>
    ((await c.provider.send("eth_getBlockByNumber", ["pending", false])) as { transactions: string[] }).transactions;

  it("behavior: the signed transaction is persisted before it is broadcast", async function () {
    const persisted: SentTx[] = [];
    let knownAtPersist: unknown = "not asked";
    const sent = await sender.send(anchorTx(), async (tx) => {
      knownAtPersist = await c.provider.getTransaction(tx.hash);
      persisted.push(tx);
    });
    expect(knownAtPersist, "the node had not seen it while it was being persisted").to.equal(null);
    expect(persisted).to.deep.equal([sent]);
    // What was persisted is the whole signed transaction: enough to rebroadcast it after a crash.
    const decoded = Transaction.from(sent.raw);
    expect(decoded.hash).to.equal(sent.hash);
    expect(decoded.nonce).to.equal(sent.nonce);
    expect(decoded.from).to.equal(c.wallet.address);
    expect((await c.provider.getTransactionReceipt(sent.hash))?.status).to.equal(1);
  });

  it("error: when persisting fails, nothing is broadcast and the nonce is not used up", async function () {
    const before = await nonceOnChain();
    let signed: SentTx | undefined;
    const failed = await sender
      .send(anchorTx(), async (tx) => {
        signed = tx;
        throw new Error("disk full");
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((failed as Error)?.message).to.equal("disk full");
    expect(signed).to.not.equal(undefined);
    expect(await c.provider.getTransaction(signed!.hash), "never broadcast").to.equal(null);
    const next = await sender.send(anchorTx(), async () => undefined);
    expect(next.nonce, "the same nonce, signed again").to.equal(signed!.nonce);
    expect(next.nonce).to.equal(before);
  });

  it("behavior: nonces advance one per transaction, also when sent concurrently", async function () {
    await c.provider.send("evm_setAutomine", [false]);
    const first = await nonceOnChain("pending");
    const sent = await Promise.all([0, 1, 2].map(() => sender.send(anchorTx(), async () => undefined)));
    expect(sent.map((s) => s.nonce)).to.deep.equal([first, first + 1, first + 2]);
    expect(await pendingHashes()).to.include.members(sent.map((s) => s.hash));
    await c.provider.send("evm_mine", []);
    for (const s of sent) expect((await c.provider.getTransactionReceipt(s.hash))?.status).to.equal(1);
  });

  it("behavior: a replacement keeps the nonce and gas limit, bumps both fees by at least 10%, and replaces it on the node", async function () {
    await c.provider.send("evm_setAutomine", [false]);
    const tx = anchorTx();
    const original = await sender.send(tx, async () => undefined);
    const replacement = await sender.send(tx, async () => undefined, original);
    expect(replacement.nonce).to.equal(original.nonce);
    expect(replacement.hash).to.not.equal(original.hash);
    expect(Transaction.from(replacement.raw).gasLimit).to.equal(Transaction.from(original.raw).gasLimit);
    for (const fee of ["maxFeePerGas", "maxPriorityFeePerGas"] as const) {
      expect(BigInt(replacement[fee]!) * 100n, fee).to.be.at.least(BigInt(original[fee]!) * 110n);
    }
    const pending = await pendingHashes();
    expect(pending).to.include(replacement.hash);
    expect(pending, "the node dropped the replaced one").to.not.include(original.hash);
    await c.provider.send("evm_mine", []);
    expect((await c.provider.getTransactionReceipt(replacement.hash))?.status).to.equal(1);
    expect(await c.provider.getTransactionReceipt(original.hash)).to.equal(null);
    // The next new transaction takes the next nonce, not the replaced one's.
    expect((await sender.send(anchorTx(), async () => undefined)).nonce).to.equal(original.nonce + 1);
  });

  it('behavior: rebroadcasting what the node already has ("already known", or mined: "nonce too low") is no failure', async function () {
    await c.provider.send("evm_setAutomine", [false]);
    const sent = await sender.send(anchorTx(), async () => undefined);
    // The node itself refuses the duplicate…
    const refused = await c.chain.provider.broadcastTransaction(sent.raw).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused, "the node refuses a duplicate").to.be.instanceOf(Error);
    // …and TxSender takes that as done.
    await sender.broadcast(sent.raw);
    await c.provider.send("evm_mine", []);
    const mined = await c.chain.provider.broadcastTransaction(sent.raw).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(mined, "the node refuses a mined one").to.be.instanceOf(Error);
    await sender.broadcast(sent.raw);
    expect((await c.provider.getTransactionReceipt(sent.hash))?.status).to.equal(1);
  });

  it("error: a broadcast the node refuses (funds short) uses up no nonce: the next transaction takes it", async function () {
    const balance = await c.provider.getBalance(c.wallet.address);
    const before = await nonceOnChain();
    await c.provider.send("hardhat_setBalance", [c.wallet.address, "0x1"]);
    let refused: SentTx | undefined;
    try {
      const failed = await sender
        .send(anchorTx(), async (tx) => {
          refused = tx;
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(failed).to.be.instanceOf(Error);
    } finally {
      await c.provider.send("hardhat_setBalance", [c.wallet.address, toQuantity(balance)]);
    }
    expect(refused?.nonce).to.equal(before);
    const next = await sender.send(anchorTx(), async () => undefined);
    expect(next.nonce, "no gap").to.equal(before);
    expect((await c.provider.getTransactionReceipt(next.hash))?.status).to.equal(1);
  });

  it("behavior: nonces the node forgot (a reorg took the transaction back) are a gap the next transaction fills", async function () {
    const snapshot = (await c.provider.send("evm_snapshot", [])) as string;
    const gone = await sender.send(anchorTx(), async () => undefined);
    await c.provider.send("evm_revert", [snapshot]);
    expect(await c.provider.getTransaction(gone.hash), "reorged out").to.equal(null);
    const next = await sender.send(anchorTx(), async () => undefined);
    expect(next.nonce, "the forgotten nonce, not one past it").to.equal(gone.nonce);
    expect((await c.provider.getTransactionReceipt(next.hash))?.status).to.equal(1);
  });

  it("error: a transaction the node refuses for another reason is a failure", async function () {
    // Signed by an account with no ether: the node refuses it (insufficient funds), and so does broadcast.
    const pauper = Wallet.createRandom();
    const raw = await pauper.signTransaction({
      to: c.wallet.address,
      value: parseEther("1"),
      nonce: 0,
      gasLimit: 21_000,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 10n ** 9n,
      chainId: c.d.chainId,
      type: 2,
    });
    const failed = await sender.broadcast(raw).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failed).to.be.instanceOf(Error);
  });
});
