import { keccak256 as ethersKeccak } from "ethers";
import { keccak256 as sha3 } from "js-sha3";
import {
  keccak256,
  keccakImplementation,
  keccakReady,
  keccakBuffer,
  keccakBufferImplementation,
} from "@repayproof/verifier";
import { figure, median, rate, ratioRuns, type Figure } from "./measure";
import { log, type BenchOptions } from "./options";
import type { Row } from "./report";

/** The keccak micro-suite's rows, and the fastest keccak measured (the merkle suite's bound uses it). */
export interface KeccakResult {
  readonly rows: Row[];
  readonly fastest: {
    readonly name: string;
    readonly perSecond: number;
    /** Measures the fastest implementation again now, for `seconds` (for bounds taken run by run). */
    rateNow(seconds: number): number;
  };
}

/**
 * keccak-256 of 64 bytes (one merkle pair), memory to memory, by every implementation at hand. Each run
 * measures all of them in turn so that machine noise hits them alike.
 */
export async function keccakSuite(opts: BenchOptions): Promise<KeccakResult> {
  await keccakReady();
  const inputs = Buffer.alloc(64 * 256);
  for (let i = 0; i < inputs.length; i++) inputs[i] = (i * 131 + 7) & 0xff;
  const words = new Int32Array(inputs.buffer, inputs.byteOffset, inputs.length / 4);
  const out = new Int32Array(8);
  const k = keccakBuffer();
  const input = (i: number): Buffer => inputs.subarray((i & 255) * 64, (i & 255) * 64 + 64);

  const impls: { name: string; op: (i: number) => unknown }[] = [
    {
      name: `${keccakBufferImplementation()} (our tree)`,
      op: (i) => {
        const o = (i & 255) * 16;
        for (let j = 0; j < 16; j++) k.words[j] = words[o + j] as number;
        k.hash(64);
        for (let j = 0; j < 8; j++) out[j] = k.words[j] as number;
      },
    },
    {
      name: `verifier keccak256 (${keccakImplementation()} IHasher)`,
      op: (i) => keccak256(input(i)),
    },
    { name: "js-sha3", op: (i) => sha3.arrayBuffer(input(i)) },
    {
      name: "ethers keccak256 (@noble/hashes)",
      op: (i) => ethersKeccak(input(i)),
    },
  ];
  for (const impl of impls) rate(impl.op, 0.05); // warm up the JIT
  const runs: number[][] = impls.map(() => []);
  for (let r = 0; r < opts.runs; r++) {
    impls.forEach((impl, i) => runs[i]!.push(rate(impl.op, opts.rateSeconds)));
  }
  const figures: Figure[] = runs.map((rs) => figure(rs, "hashes/s"));
  const medians = figures.map((f) => median(f.runs));
  const best = medians.indexOf(Math.max(...medians));
  const bestImpl = impls[best]!;
  log(`keccak: fastest ${bestImpl.name} at ${Math.round(medians[best]!)} hashes/s`);
  const rows: Row[] = impls
    .map((impl, i): Row | undefined =>
      i === best
        ? undefined
        : {
            suite: "keccak-256 of 64 B (micro)",
            size: "—",
            ours: { label: bestImpl.name, figure: figures[best] },
            reference: { label: impl.name, figure: figures[i] },
            ratio: {
              runs: ratioRuns(figures[best]!, figures[i]!),
              label: "× faster",
            },
          },
    )
    .filter((r): r is Row => r !== undefined);
  return {
    rows,
    fastest: { name: bestImpl.name, perSecond: medians[best]!, rateNow: (seconds) => rate(bestImpl.op, seconds) },
  };
}
