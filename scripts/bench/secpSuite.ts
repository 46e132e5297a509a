import os from "node:os";
import { Worker } from "node:worker_threads";
import { recoverAddress as ethersRecover } from "ethers";
import secp256k1 from "secp256k1";
import { keccakReady, recoverAddress } from "@repayproof/verifier";
import { figure, median, rate, ratioRuns, type Figure } from "./measure";
import { log, type BenchOptions } from "./options";
import type { Row } from "./report";
import { randomKeys, signReceipts } from "./signedReceipts";

/** The raw recovery rate on every core: the ingest suite's physical limit. */
export interface SecpResult {
  readonly rows: Row[];
  readonly allCores: Figure;
}

// Plain JavaScript so that the worker needs no TypeScript loader: raw ecdsaRecover over pre-signed input.
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const secp = require(workerData.secp);
const sigs = workerData.sigs.map((s) => Buffer.from(s, "hex"));
const msgs = workerData.msgs.map((m) => Buffer.from(m, "hex"));
// This thread's CPU ms (Linux /proc; -1 elsewhere): contention on the shared machine stretches the wall
// clock of a recovery but not its CPU time.
const cpuMs = () => {
  try {
    const st = require("node:fs").readFileSync("/proc/thread-self/stat", "utf8");
    const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return -1;
  }
};
parentPort.on("message", (seconds) => {
  let ops = 0;
  const cpu0 = cpuMs();
  const start = process.hrtime.bigint();
  let elapsed = 0;
  do {
    for (let i = 0; i < 100; i++, ops++) {
      const s = sigs[ops % sigs.length];
      secp.ecdsaRecover(s.subarray(0, 64), s[64] - 27, msgs[ops % msgs.length], false);
    }
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  } while (elapsed < seconds);
  const cpu = cpuMs() - cpu0;
  parentPort.postMessage({ rate: ops / elapsed, cpuUs: cpu0 < 0 ? (elapsed * 1e6) / ops : (cpu * 1000) / ops });
});
`;

/** Sum of the rates of one worker per core, all measuring at the same time, and the mean CPU µs per recovery. */
async function allCoresCpu(workers: Worker[], seconds: number): Promise<{ rate: number; cpuUs: number }> {
  const runs = await Promise.all(
    workers.map(
      (w) =>
        new Promise<{ rate: number; cpuUs: number }>((resolve, reject) => {
          w.once("message", resolve);
          w.once("error", reject);
          w.postMessage(seconds);
        }),
    ),
  );
  return {
    rate: runs.reduce((a, r) => a + r.rate, 0),
    cpuUs: runs.reduce((a, r) => a + r.cpuUs, 0) / runs.length,
  };
}

async function allCores(workers: Worker[], seconds: number): Promise<number> {
  return (await allCoresCpu(workers, seconds)).rate;
}

/** Pre-signed signatures and digests for the recovery workers. */
function recoveryInput(): { sigs: Buffer[]; msgs: Buffer[]; signed: ReturnType<typeof signReceipts> } {
  const signed = signReceipts(256, "0x" + "11".repeat(20), randomKeys(4));
  return {
    signed,
    sigs: signed.map((s) => Buffer.from(s.signature.slice(2), "hex")),
    msgs: signed.map((s) => Buffer.from(s.digest.slice(2), "hex")),
  };
}

function startWorkers(sigs: Buffer[], msgs: Buffer[]): Worker[] {
  return Array.from(
    { length: os.cpus().length },
    () =>
      new Worker(WORKER, {
        eval: true,
        workerData: {
          secp: require.resolve("secp256k1"),
          sigs: sigs.map((x) => x.toString("hex")),
          msgs: msgs.map((x) => x.toString("hex")),
        },
      }),
  );
}

/**
 * Raw libsecp256k1 recovery on every core, on demand: the ingest suite measures it right before each of
 * its runs so that both figures of a ratio see the same load on the shared machine.
 */
export interface RawRecovery {
  measure(seconds: number): Promise<number>;
  /** CPU µs of one recovery in the latest {@link measure} (thread CPU time: unstretched by contention). */
  cpuUsPerRecovery(): number;
  close(): Promise<void>;
}

export async function rawRecovery(): Promise<RawRecovery> {
  await keccakReady();
  const { sigs, msgs } = recoveryInput();
  const workers = startWorkers(sigs, msgs);
  let cpuUs = NaN;
  await allCores(workers, 0.05);
  return {
    measure: async (seconds) => {
      const r = await allCoresCpu(workers, seconds);
      cpuUs = r.cpuUs;
      return r.rate;
    },
    cpuUsPerRecovery: () => cpuUs,
    close: async () => {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/**
 * Raw libsecp256k1 recovery (`ecdsaRecover`, no address derivation) on one core and on every core
 * (worker_threads), and our recoverAddress against ethers' recoverAddress.
 */
export async function secpSuite(opts: BenchOptions): Promise<SecpResult> {
  await keccakReady();
  const { signed, sigs, msgs } = recoveryInput();
  const raw = (i: number): unknown => {
    const s = sigs[i % sigs.length] as Buffer;
    return secp256k1.ecdsaRecover(s.subarray(0, 64), (s[64] as number) - 27, msgs[i % msgs.length] as Buffer, false);
  };
  const ours = (i: number): unknown =>
    recoverAddress(msgs[i % msgs.length] as Buffer, signed[i % signed.length]!.signature);
  const theirs = (i: number): unknown =>
    ethersRecover(signed[i % signed.length]!.digest, signed[i % signed.length]!.signature);
  const cores = os.cpus().length;
  const workers = startWorkers(sigs, msgs);
  try {
    rate(raw, 0.05, 100);
    rate(ours, 0.05, 100);
    rate(theirs, 0.05, 10);
    await allCores(workers, 0.05);
    const one: number[] = [];
    const all: number[] = [];
    const o: number[] = [];
    const t: number[] = [];
    for (let r = 0; r < opts.runs; r++) {
      one.push(rate(raw, opts.rateSeconds, 100));
      all.push(await allCores(workers, opts.rateSeconds));
      o.push(rate(ours, opts.rateSeconds, 100));
      t.push(rate(theirs, opts.rateSeconds, 10));
    }
    log(`secp256k1 recovery: 1 core ${Math.round(median(one))}/s, ${cores} cores ${Math.round(median(all))}/s`);
    const oneFig = figure(one, "recoveries/s");
    const allFig = figure(all, "recoveries/s");
    const oursFig = figure(o, "recoveries/s");
    const theirsFig = figure(t, "recoveries/s");
    return {
      allCores: allFig,
      rows: [
        {
          suite: "raw libsecp256k1 recovery (ingest limit)",
          size: `${cores} cores`,
          ours: { label: `ecdsaRecover × ${cores} workers`, figure: allFig },
          reference: { label: "ecdsaRecover, 1 core", figure: oneFig },
          ratio: { runs: ratioRuns(allFig, oneFig), label: "× one core" },
        },
        {
          suite: "signature → address",
          size: "—",
          ours: { label: "verifier recoverAddress (libsecp256k1)", figure: oursFig },
          reference: { label: "ethers recoverAddress", figure: theirsFig },
          ratio: { runs: ratioRuns(oursFig, theirsFig), label: "× faster" },
        },
      ],
    };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
