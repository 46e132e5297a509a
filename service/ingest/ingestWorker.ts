import { parentPort, workerData } from "node:worker_threads";
import { fromHex, keccakReady } from "@repayproof/verifier/core";
import { preprocess, type PreprocessContext } from "./preprocess";

/** Messages from the pool: a body to preprocess, judged at `nowS`. */
export interface WorkerJob {
  id: number;
  body: Uint8Array;
  nowS: number;
}

interface WorkerInit {
  domainSeparator: string;
  operatorKey: string;
  maxAnchorDelayS: number;
}

const init = workerData as WorkerInit;
const ctx: PreprocessContext = {
  domainSeparator: init.domainSeparator,
  operatorKey: fromHex(init.operatorKey),
  maxAnchorDelayS: init.maxAnchorDelayS,
};
const port = parentPort;
if (!port) throw new Error("ingestWorker must run in a worker thread");

const ready = keccakReady();
port.on("message", (job: WorkerJob) => {
  void ready.then(() => {
    try {
      port.postMessage({ id: job.id, result: preprocess(job.body, ctx, job.nowS) });
    } catch (e) {
      port.postMessage({ id: job.id, failure: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  });
});
