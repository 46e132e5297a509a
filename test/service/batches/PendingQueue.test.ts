import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";
import { PendingQueue, type PendingItem } from "../../../service/batches/PendingQueue";
import { LevelStore } from "../../../service/store/leveldb/LevelStore";
import { tempDir, type TempDir } from "../../helpers/tempDir";

const item = (acceptedAtMs: number): PendingItem => ({ digest: hexlify(randomBytes(32)), acceptedAtMs });

/** Everything on disk, entry by entry. */
async function entries(store: LevelStore): Promise<[number, string][]> {
  const out: [number, string][] = [];
  for await (const e of store.pendingEntries()) out.push(e);
  return out;
}

async function all(queue: PendingQueue): Promise<PendingItem[]> {
  const out: PendingItem[] = [];
  for await (const i of queue.items()) out.push(i);
  return out;
}

describe("PendingQueue (on a real LevelDB)", function () {
  let tmp: TempDir;
  let store: LevelStore;

  beforeEach(async function () {
    tmp = tempDir();
    store = new LevelStore(tmp.dir);
    await store.open();
  });

  afterEach(async function () {
    await store.close();
    tmp.remove();
  });

  /** Appends `groups` as admission does: one entry per group commit, counted once written. */
  async function append(queue: PendingQueue, groups: PendingItem[][]): Promise<void> {
    for (const g of groups) {
      await store.write([queue.append(g)]);
      queue.committed(g.length);
    }
  }

  it("behavior: append takes keys in call order; items count and are heard only once committed", async function () {
    const queue = new PendingQueue(store);
    await queue.init();
    const heard: number[] = [];
    queue.onGrow((n) => heard.push(n));
    const a = queue.append([item(1), item(2)]);
    const b = queue.append([item(3)]);
    expect(a).to.include({ type: "pending", key: 0 });
    expect(b).to.include({ type: "pending", key: 1 });
    expect(queue.size(), "nothing counts before it is durable").to.equal(0);
    // Written out of order (two group commits racing), they still read in the order admission decided them.
    await store.write([b]);
    await store.write([a]);
    queue.committed(1);
    queue.committed(2);
    expect(queue.size()).to.equal(3);
    expect(heard).to.deep.equal([1, 3]);
    expect((await all(queue)).map((i) => i.acceptedAtMs)).to.deep.equal([1, 2, 3]);
  });

  it("behavior: rewrite writes other items under an appended entry's key, and no entry for none", async function () {
    const queue = new PendingQueue(store);
    await queue.init();
    const [x, y] = [item(1), item(2)];
    const a = queue.append([x, y]);
    const b = queue.append([item(3)]);
    await store.write([queue.rewrite(a, [y]), queue.rewrite(b, [])]);
    queue.committed(1);
    expect(await entries(store)).to.have.length(1);
    expect(await all(queue)).to.deep.equal([y]);
    expect(queue.append([item(4)]), "keys go on after rewritten ones").to.include({ key: 2 });
  });

  it("behavior: take splits an entry and its ops write the rest back", async function () {
    const queue = new PendingQueue(store);
    await queue.init();
    const groups = [[item(1), item(2), item(3)], [item(4), item(5)], [item(6)]];
    await append(queue, groups);
    const taken = await queue.take(4);
    expect(taken.items).to.deep.equal([...groups[0]!, groups[1]![0]!]);
    expect(taken.ops).to.deep.equal([
      { type: "pendingDone", key: 0 },
      { type: "pending", key: 1, entry: `${groups[1]![1]!.digest}:5` },
    ]);
    expect(await entries(store), "take itself writes nothing").to.have.length(3);
    await store.write(taken.ops);
    queue.removed(taken.items.length);
    expect(queue.size()).to.equal(2);
    expect(await all(queue)).to.deep.equal([groups[1]![1]!, groups[2]![0]!]);
    expect((await entries(store)).map(([k]) => k)).to.deep.equal([1, 2]);
  });

  it("behavior: take at an entry's end removes whole entries, and take of more than there is takes all", async function () {
    const queue = new PendingQueue(store);
    await queue.init();
    const groups = [[item(1), item(2)], [item(3)]];
    await append(queue, groups);
    const first = await queue.take(2);
    expect(first.ops).to.deep.equal([{ type: "pendingDone", key: 0 }]);
    await store.write(first.ops);
    queue.removed(2);
    const rest = await queue.take(100);
    expect(rest.items).to.deep.equal(groups[1]);
    await store.write(rest.ops);
    queue.removed(rest.items.length);
    expect(queue.size()).to.equal(0);
    expect(await queue.take(10)).to.deep.equal({ items: [], ops: [] });
  });

  it("behavior: init counts what is on disk and appends after its last key", async function () {
    const first = new PendingQueue(store);
    await first.init();
    await append(first, [[item(1), item(2), item(3)], [item(4)], [item(5), item(6)]]);
    const taken = await first.take(1);
    await store.write(taken.ops);
    first.removed(1);

    // A restart: a new queue over the same database.
    await store.close();
    store = new LevelStore(tmp.dir);
    await store.open();
    const queue = new PendingQueue(store);
    await queue.init();
    expect(queue.size()).to.equal(5);
    const next = queue.append([item(7)]);
    expect(next).to.include({ key: 3 });
    await store.write([next]);
    queue.committed(1);
    expect((await all(queue)).map((i) => i.acceptedAtMs)).to.deep.equal([2, 3, 4, 5, 6, 7]);
  });

  it("behavior: an empty queue inits to nothing and starts at key 0", async function () {
    const queue = new PendingQueue(store);
    await queue.init();
    expect(queue.size()).to.equal(0);
    expect(queue.append([item(1)])).to.include({ key: 0 });
  });

  it("behavior: items keep their loan's state key across a split; entries written without one still read", async function () {
    const queue = new PendingQueue(store);
    await queue.init();
    const keyed = [1, 2, 3].map((n) => ({ ...item(n), stateKey: hexlify(randomBytes(32)) }));
    const old = item(4);
    // An entry as the queue wrote it before items carried their state key.
    await store.write([{ type: "pending", key: 0, entry: `${old.digest}:${old.acceptedAtMs}` }]);
    await store.write([{ ...queue.append(keyed), key: 1 }]);
    expect(await all(queue)).to.deep.equal([old, ...keyed]);
    const { items, ops } = await queue.take(2);
    expect(items).to.deep.equal([old, keyed[0]]);
    await store.write(ops);
    expect(await all(queue), "the rest of a split entry keeps its keys").to.deep.equal(keyed.slice(1));
  });
});
