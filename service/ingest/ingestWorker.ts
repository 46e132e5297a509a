import fs from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { keccakReady } from "@repayproof/verifier/core";
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
      port.postMessage({ id: job.id, result: preprocess(job.body, ctx) });
    } catch (e) {
      port.postMessage({ id: job.id, failure: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  });
});
