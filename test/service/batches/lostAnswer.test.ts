import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";
import pino from "pino";
import { loanStateKey } from "@repayproof/verifier/core";
import { Batcher } from "../../../service/batches/Batcher";
import { LoanStateTree } from "../../../service/batches/LoanStateTree";
import { PendingQueue } from "../../../service/batches/PendingQueue";
import { createMetrics } from "../../../service/metrics";
import { LevelStore } from "../../../service/store/leveldb/LevelStore";
import type { Store, WriteOp } from "../../../service/store/Store";
import type { BatchRecord } from "../../../service/store/records";
import { tempDir, type TempDir } from "../../helpers/tempDir";
import { waitFor } from "../../helpers/waitFor";

const AGREEMENT = hexlify(randomBytes(32));
const LOANS = [hexlify(randomBytes(32)), hexlify(randomBytes(32))];

/**
 * The real store, whose next armed write lands and then fails: what a database that goes away after a
 * commit is durable and before it answers does to its client.
 */
function answerLost(store: Store): { store: Store; arm(): void } {
  let armed = false;
  const wrapped = Object.create(store) as Store;
  wrapped.write = async (ops: readonly WriteOp[]): Promise<void> => {
    await store.write(ops);
    if (!armed) return;
    armed = false;
    throw new Error("Connection terminated unexpectedly (after COMMIT)");
  };
  return { store: wrapped, arm: () => (armed = true) };
}

/** Stores `n` receipts (as much of their record as sealing reads), each loan in turn; their digests. */
async function receipts(store: Store, n: number): Promise<string[]> {
  const digests = Array.from({ length: n }, () => hexlify(randomBytes(32)));
  await store.write(
    digests.map((digest, i): WriteOp => {
      const receipt = { agreementId: AGREEMENT, loanId: LOANS[i % LOANS.length] };
      return { type: "receipt", digest, record: JSON.stringify({ receipt, signature: "0x" }) };
    }),
  );
  return digests;
}

/** A batcher on `store` (its own queue, read from disk), handing its batches to `sunk`. */
async function batcherOn(store: Store, opts: { batchMax: number; intervalMs: number }) {
  const queue = new PendingQueue(store);
  await queue.init();
  const sunk: BatchRecord[] = [];
  const sink = { room: () => Promise.resolve(), enqueue: (b: BatchRecord) => void sunk.push(b) };
  const batcher = new Batcher(store, queue, sink, opts, createMetrics(false), pino({ level: "silent" }));
  await batcher.init();
  return { queue, sunk, batcher };
}

describe("a write whose answer was lost (it landed, and reported failure)", function () {
  let tmp: TempDir;
  let level: LevelStore;

  beforeEach(async function () {
    tmp = tempDir();
    level = new LevelStore(tmp.dir);
    await level.open();
  });

  afterEach(async function () {
    await level.close();
    tmp.remove();
  });

  it("seal: the batch that landed is taken as sealed, so the next receipts get the next seq and none is folded into the state twice", async function () {
    const { store, arm } = answerLost(level);
    const { queue, sunk, batcher } = await batcherOn(store, { batchMax: 3, intervalMs: 3_600_000 });
    const digests = await receipts(store, 6);
    await store.write([queue.append(digests.map((digest) => ({ digest, acceptedAtMs: 1 })))]);
    queue.committed(6);

    arm();
    let error: unknown;
    await batcher.seal().catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/after COMMIT/);
    expect(sunk, "nothing handed on while the answer is unknown").to.deep.equal([]);

    const first = await batcher.seal();
    expect(first?.seq, "the seal that landed, taken as it is").to.equal(0);
    const second = await batcher.seal();
    expect(second?.seq).to.equal(1);
    expect(await batcher.seal(), "the queue is empty").to.equal(undefined);
    expect(sunk.map((b) => b.seq)).to.deep.equal([0, 1]);
    expect((await store.getLeaves(0))?.digests, "batch 0 keeps the receipts it was sealed with").to.deep.equal(
      digests.slice(0, 3),
    );
    expect((await store.getLeaves(1))?.digests).to.deep.equal(digests.slice(3));
    expect(await store.batchSeqsOf(digests)).to.deep.equal([0, 0, 0, 1, 1, 1]);
    const tree = new LoanStateTree(store);
    for (const loanId of LOANS) {
      const served = await tree.proof(loanStateKey(AGREEMENT, loanId));
      expect(served?.proof.count, "each receipt counted once in its loan's state").to.equal(3);
      expect(served?.stateRoot).to.equal(second?.stateRoot);
    }
    expect(queue.size()).to.equal(0);
  });

  it("append: receipts whose write landed uncounted are still sealed at the next interval", async function () {
    const { queue, sunk, batcher } = await batcherOn(level, { batchMax: 100, intervalMs: 50 });
    batcher.start();
    try {
      const digests = await receipts(level, 4);
      // Admission's write landed, but its answer was an error: no Ack, nothing counted, and the queue told.
      await level.write([queue.append(digests.map((digest) => ({ digest, acceptedAtMs: 1 })))]);
      queue.failed();
      expect(queue.size()).to.equal(0);
      await waitFor("the uncounted receipts to be sealed", async () => sunk.length === 1, 10_000, 20);
      expect(sunk[0]?.count).to.equal(4);
      expect(queue.maybeMore(), "the whole queue was read since").to.equal(false);
      expect(queue.size()).to.equal(0);
    } finally {
      await batcher.close();
    }
  });
});
