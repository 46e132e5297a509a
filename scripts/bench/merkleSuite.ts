import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { buildTree } from "@repayproof/verifier";
import { randomDigests, sizeLabel } from "./digests";
import { figure, median, ratioRuns, secondsSync, settle } from "./measure";
import type { KeccakResult } from "./keccakSuite";
import { log, type BenchOptions } from "./options";
import type { Row } from "./report";

/** Goal of the issue: ≥ 50× OpenZeppelin at 100k digests. */
const GOAL_SIZE = 100_000;
/** OpenZeppelin is run in full only where 3 runs fit in a few minutes (it takes ~40 s per 100k here). */
const OZ_MAX = 100_000;

/** Ours: build the tree and every proof (each proof checked by `proof()` itself, as in production). */
function ours(digests: readonly string[], build?: number[]): string {
  const start = process.hrtime.bigint();
  const tree = buildTree(digests);
  build?.push(Number(process.hrtime.bigint() - start) / 1e9);
  let total = 0;
  for (const d of digests) total += tree.proof(d).length;
  if (total < 0) throw new Error("unreachable");
  return tree.root;
}

/** Reference: `StandardMerkleTree.of` and `getProof` of every leaf (by index, its cheapest lookup). */
function openZeppelin(digests: readonly string[]): {
  root: string;
  proofOf: (i: number) => string[];
} {
  const tree = StandardMerkleTree.of(
    digests.map((d) => [d]),
    ["bytes32"],
  );
  let total = 0;
  for (let i = 0; i < digests.length; i++) total += tree.getProof(i).length;
  if (total < 0) throw new Error("unreachable");
  return { root: tree.root, proofOf: (i) => tree.getProof(i) };
}

/**
 * Merkle build + all proofs at each size: ours against OpenZeppelin's StandardMerkleTree (same root and
 * sampled proofs asserted), and ours against the keccak bound: 3n − 1 hashes (2n for the leaves, n − 1
 * for the inner nodes) at the fastest keccak measured in this run.
 */
export async function merkleSuite(opts: BenchOptions, keccak: KeccakResult["fastest"]): Promise<Row[]> {
  const keccakName = keccak.name;
  const sizes = opts.quick ? [1_000, 10_000] : [10_000, 100_000, 1_000_000];
  const rows: Row[] = [];
  let ozSecondsPerLeaf: number | undefined;
  for (const n of sizes) {
    const size = `${sizeLabel(n)} digests`;
    const digests = randomDigests(n);
    // Warm both up (JIT tiers, the WebAssembly module) on small inputs so that the runs measure steady state.
    const sample = digests.slice(0, 1000);
    for (const t0 = Date.now(); Date.now() - t0 < 300;) ours(sample);
    if (n <= OZ_MAX) for (let i = 0; i < 3; i++) openZeppelin(sample.slice(0, 200));
    const withOz = n <= OZ_MAX;
    const oursRuns: number[] = [];
    const buildRuns: number[] = [];
    const boundRuns: number[] = [];
    const ozRuns: number[] = [];
    for (let r = 0; r < opts.runs; r++) {
      await settle();
      let root = "";
      oursRuns.push(secondsSync(() => (root = ours(digests, buildRuns))));
      // The bound is re-measured right after each run, so that both sides of the ratio share the load.
      boundRuns.push((3 * n - 1) / keccak.rateNow(opts.rateSeconds));
      if (!withOz) continue;
      await settle();
      let oz: ReturnType<typeof openZeppelin> | undefined;
      ozRuns.push(secondsSync(() => (oz = openZeppelin(digests))));
      if (oz!.root !== root) throw new Error(`merkle: roots differ at ${n} leaves: ours ${root}, OZ ${oz!.root}`);
      const tree = buildTree(digests);
      for (let s = 0; s < 50; s++) {
        const i = (s * 7919) % n;
        if (tree.proof(digests[i]!).join() !== oz!.proofOf(i).join()) throw new Error(`merkle: proof ${i} differs`);
      }
      log(`merkle ${size} run ${r + 1}: ours ${oursRuns.at(-1)!.toFixed(3)} s, OZ ${ozRuns.at(-1)!.toFixed(2)} s`);
    }
    if (!withOz) log(`merkle ${size}: ours ${oursRuns.map((s) => s.toFixed(3)).join(", ")} s`);
    const oursFig = figure(oursRuns, "s");
    const boundFig = figure(boundRuns, "s");
    if (withOz) {
      const ozFig = figure(ozRuns, "s");
      ozSecondsPerLeaf = median(ozRuns) / n;
      rows.push({
        suite: "merkle build + all proofs",
        size,
        ours: { label: "buildTree + proof()", figure: oursFig },
        reference: {
          label: "OZ StandardMerkleTree.of + getProof",
          figure: ozFig,
        },
        ratio: { runs: ratioRuns(ozFig, oursFig), label: "× faster" },
        goal: n === GOAL_SIZE ? { text: "≥ 50× faster at 100k", target: 50, direction: "atLeast" } : undefined,
        note: "same root asserted every run, and 50 sampled proofs identical",
      });
    } else {
      const minutes = ozSecondsPerLeaf ? ((ozSecondsPerLeaf * n * opts.runs) / 60).toFixed(0) : "?";
      rows.push({
        suite: "merkle build + all proofs",
        size,
        ours: { label: "buildTree + proof()", figure: oursFig },
        reference: { label: "OZ StandardMerkleTree.of + getProof" },
        notMeasured: `OZ at ${sizeLabel(n)} would take ~${minutes} min for ${opts.runs} runs (extrapolated linearly from ${sizeLabel(OZ_MAX)}); ours is compared with the keccak bound instead`,
      });
    }
    rows.push({
      suite: "merkle vs keccak bound",
      size,
      ours: { label: "buildTree + proof()", figure: oursFig },
      reference: { label: `(3n−1) hashes at ${keccakName}`, figure: boundFig },
      ratio: { runs: ratioRuns(oursFig, boundFig), label: "× the bound" },
      goal: { text: "≤ 1.5× the bound", target: 1.5, direction: "atMost" },
    });
    const buildFig = figure(buildRuns, "s");
    rows.push({
      suite: "merkle build only vs keccak bound",
      size,
      ours: { label: "buildTree (root, no proofs)", figure: buildFig },
      reference: { label: "(3n−1) hashes, as above", figure: boundFig },
      ratio: { runs: ratioRuns(buildFig, boundFig), label: "× the bound" },
      note: "the build part of the row above, timed inside the same runs: where the time goes",
    });
  }
  return rows;
}
