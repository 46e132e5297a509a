import fs from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { keccakReady } from "@repayproof/verifier/core";
import { packResult } from "./packedResult";
import { preprocess, type PreprocessContext } from "./preprocess";

/** Messages from the pool: a body to preprocess. */
export interface WorkerJob {
  id: number;
  body: Uint8Array;
}

const ctx = workerData as PreprocessContext;
const port = parentPort;
if (!port) throw new Error("ingestWorker must run in a worker thread");

// Name this thread, so that per-thread CPU (top -H, /proc/<pid>/task/*/comm, the benchmark's rows) tells
// the ingest workers from the main thread and libuv's pool. Linux only; elsewhere nothing happens.
try {
  fs.writeFileSync("/proc/thread-self/comm", "ingest-worker");
} catch {
  // not Linux, or /proc not mounted: the thread keeps its name
}

const ready = keccakReady();
port.on("message", (job: WorkerJob) => {
  void ready.then(() => {
    try {
      const result = preprocess(job.body, ctx);
      const packed = packResult(result);
      if (packed) port.postMessage({ id: job.id, packed }, [packed.numbers.buffer as ArrayBuffer]);
      else port.postMessage({ id: job.id, result });
    } catch (e) {
      port.postMessage({ id: job.id, failure: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  });
});
