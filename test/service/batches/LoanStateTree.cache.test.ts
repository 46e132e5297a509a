import { expect } from "chai";
import fc from "fast-check";
import { chainHead, keccakReady, loanStateProof, loanStateRoot } from "@repayproof/verifier";
import { LoanStateTree } from "../../../service/batches/LoanStateTree";
import { MemoryNodes, workload } from "./stateTreeFixtures";

/**
 * What became of a batch's write: it committed and the tree was told; it failed and the tree was told; it
 * committed but the caller saw an error (a connection lost during COMMIT); or the tree was told nothing
 * either way.
 */
const OUTCOMES = ["committed", "failed", "committedButFailed", "silentCommit", "silentFail"] as const;
type Outcome = (typeof OUTCOMES)[number];

/** The expected root of everything whose write reached the store. */
function rootOf(chains: Map<string, string[]>): string {
  return loanStateRoot([...chains].map(([key, ds]) => ({ key, count: ds.length, head: chainHead(ds) })));
}

describe("LoanStateTree with a cache (the batcher's)", function () {
  before(async function () {
    await keccakReady();
  });

  it("property: equals the plain tree of the writes that reached the store, whatever it was told", async function () {
    const steps = workload.chain((batches) =>
      fc.tuple(
        fc.constant(batches),
        fc.array(fc.constantFrom(...OUTCOMES), { minLength: batches.length, maxLength: batches.length }),
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
      ),
    );
    await fc.assert(
      fc.asyncProperty(steps, async ([batches, outcomes, cacheDepth, warm]) => {
        const mem = new MemoryNodes();
        const tree = new LoanStateTree(mem, { cacheDepth });
        const reader = new LoanStateTree(mem);
        if (warm) await tree.warm();
        const stored = new Map<string, string[]>();
        for (const [i, b] of batches.entries()) {
          const appends = new Map<string, string[]>();
          for (const [k, ds] of b) appends.set(k.toLowerCase(), [...(appends.get(k.toLowerCase()) ?? []), ...ds]);
          const after = new Map(stored);
          for (const [k, ds] of appends) after.set(k, [...(after.get(k) ?? []), ...ds]);
          const result = await tree.update(appends);
          expect(result.root).to.equal(rootOf(after));
          const outcome = outcomes[i] as Outcome;
          if (outcome === "committed" || outcome === "committedButFailed" || outcome === "silentCommit") {
            mem.apply(result.ops);
            for (const [k, v] of after) stored.set(k, v);
          }
          if (outcome === "committed") tree.committed(result);
          if (outcome === "failed" || outcome === "committedButFailed") tree.abandoned();
          // Readers have no cache: they see the store as it is.
          expect(await reader.root()).to.equal(rootOf(stored));
        }
        for (const k of stored.keys())
          expect((await reader.proof(k))?.proof).to.deep.equal(
            loanStateProof(
              [...stored].map(([key, ds]) => ({ key, count: ds.length, head: chainHead(ds) })),
              k,
            ),
          );
      }),
      { numRuns: 80 },
    );
  });

  it("behavior: a result reported committed out of turn empties the cache instead of entering it", async function () {
    const mem = new MemoryNodes();
    const tree = new LoanStateTree(mem, { cacheDepth: 4 });
    const a = await tree.update(new Map([["0x" + "11".repeat(32), ["0x" + "01".repeat(32)]]]));
    // A second update before the first is reported: the first's write is of unknown outcome, and is dropped.
    const b = await tree.update(new Map([["0x" + "22".repeat(32), ["0x" + "02".repeat(32)]]]));
    mem.apply(b.ops);
    tree.committed(a);
    const c = await tree.update(new Map([["0x" + "33".repeat(32), ["0x" + "03".repeat(32)]]]));
    const expected = rootOf(
      new Map([
        ["0x" + "22".repeat(32), ["0x" + "02".repeat(32)]],
        ["0x" + "33".repeat(32), ["0x" + "03".repeat(32)]],
      ]),
    );
    expect(c.root).to.equal(expected);
  });
});
