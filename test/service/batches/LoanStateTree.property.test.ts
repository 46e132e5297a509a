import path from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import { chainHead, keccakReady, loanStateProof, loanStateRoot, type LoanStateEntry } from "@repayproof/verifier";
import { LoanStateTree } from "../../../service/batches/LoanStateTree";
import { LevelStore } from "../../../service/store/leveldb/LevelStore";
import type { WriteOp } from "../../../service/store/Store";
import { LOAN_STATE_VECTORS } from "../../verifier/merkle/loanStateVectors";
import { tempDir } from "../../helpers/tempDir";
import { MemoryNodes, workload } from "./stateTreeFixtures";

/** Applies each batch to the tree and to a plain record of every key's digests; checks root and proofs. */
async function run(tree: LoanStateTree, apply: (ops: WriteOp[]) => Promise<void>, batches: [string, string[]][][]) {
  const chains = new Map<string, string[]>();
  for (const b of batches) {
    const appends = new Map<string, string[]>();
    for (const [k, ds] of b) appends.set(k, [...(appends.get(k) ?? []), ...ds]);
    const { root, ops } = await tree.update(appends);
    await apply(ops);
    for (const [k, ds] of appends) chains.set(k, [...(chains.get(k) ?? []), ...ds]);
    const entries: LoanStateEntry[] = [...chains].map(([k, ds]) => ({ key: k, count: ds.length, head: chainHead(ds) }));
    expect(root).to.equal(loanStateRoot(entries));
    expect(await tree.root()).to.equal(root);
    for (const k of appends.keys()) {
      const served = await tree.proof(k);
      expect(served?.stateRoot).to.equal(root);
      expect(served?.proof).to.deep.equal(loanStateProof(entries, k));
    }
  }
}

describe("LoanStateTree (the service's store-backed loan state tree)", function () {
  before(async function () {
    await keccakReady();
  });

  it("behavior: reproduces every golden vector (root and proofs), inserted in one batch", async function () {
    for (const t of LOAN_STATE_VECTORS.trees) {
      const mem = new MemoryNodes();
      const tree = new LoanStateTree(mem);
      const { root, ops } = await tree.update(new Map(t.entries.map((e) => [e.key, e.digests])));
      mem.apply(ops);
      expect(root).to.equal(t.root);
      for (const e of t.entries) expect((await tree.proof(e.key))?.proof.siblings).to.deep.equal(e.siblings);
    }
  });

  it("behavior: an empty tree has root zero and no proofs", async function () {
    const tree = new LoanStateTree(new MemoryNodes());
    expect(await tree.root()).to.equal("0x" + "00".repeat(32));
    expect(await tree.proof("0x" + "11".repeat(32))).to.equal(undefined);
  });

  it("property: equals the verifier's plain tree on random workloads of batches", async function () {
    await fc.assert(
      fc.asyncProperty(workload, async (batches) => {
        const mem = new MemoryNodes();
        await run(new LoanStateTree(mem), async (ops) => mem.apply(ops), batches);
      }),
      { numRuns: 60 },
    );
  });

  it("property: a proof for an earlier batch, from what later batches overwrote, equals the plain tree as it was then", async function () {
    await fc.assert(
      fc.asyncProperty(workload, async (batches) => {
        const mem = new MemoryNodes();
        const tree = new LoanStateTree(mem);
        const chains = new Map<string, string[]>();
        const states: LoanStateEntry[][] = [];
        for (const [seq, b] of batches.entries()) {
          const appends = new Map<string, string[]>();
          for (const [k, ds] of b) appends.set(k, [...(appends.get(k) ?? []), ...ds]);
          const { ops, before } = await tree.update(appends);
          // As the batcher seals them: the nodes, and what each overwritten position held.
          mem.apply([...ops, ...before.map(({ path, node }): WriteOp => ({ type: "stateUndo", seq, path, node }))]);
          for (const [k, ds] of appends) chains.set(k, [...(chains.get(k) ?? []), ...ds]);
          states.push([...chains].map(([k, ds]) => ({ key: k, count: ds.length, head: chainHead(ds) })));
        }
        const last = batches.length - 1;
        for (const [seq, entries] of states.entries()) {
          for (const { key: k } of entries) {
            const served = await tree.proof(k, { seq, last });
            expect(served?.stateRoot, `batch ${seq} of ${last}`).to.equal(loanStateRoot(entries));
            expect(served?.proof).to.deep.equal(loanStateProof(entries, k));
          }
          // A key that arrived later has no proof in that state.
          const later = states[last]!.find((e) => !entries.some((x) => x.key === e.key));
          if (later) expect(await tree.proof(later.key, { seq, last })).to.equal(undefined);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("property: the same on LevelDB, across a reopen (nothing is rebuilt)", async function () {
    const tmp = tempDir();
    try {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(workload, async (batches) => {
          const dir = path.join(tmp.dir, `db${n++}`);
          const half = Math.ceil(batches.length / 2);
          let store = new LevelStore(dir);
          await store.open();
          const chains: [string, string[]][][] = [];
          await run(new LoanStateTree(store), (ops) => store.write(ops), batches.slice(0, half));
          chains.push(...batches.slice(0, half));
          await store.close();
          store = new LevelStore(dir);
          await store.open();
          // The reopened tree continues from what is on disk: the plain tree of all batches so far must match.
          const tree = new LoanStateTree(store);
          const appends = new Map<string, string[]>();
          for (const b of batches.slice(half))
            for (const [k, ds] of b) appends.set(k, [...(appends.get(k) ?? []), ...ds]);
          chains.push([...appends]);
          if (appends.size > 0) {
            const { ops } = await tree.update(appends);
            await store.write(ops);
          }
          const all = new Map<string, string[]>();
          for (const b of chains) for (const [k, ds] of b) all.set(k, [...(all.get(k) ?? []), ...ds]);
          const entries = [...all].map(([k, ds]) => ({ key: k, count: ds.length, head: chainHead(ds) }));
          expect(await tree.root()).to.equal(loanStateRoot(entries));
          await store.close();
        }),
        { numRuns: 25 },
      );
    } finally {
      tmp.remove();
    }
  });
});
