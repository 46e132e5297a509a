import fs from "node:fs";
import path from "node:path";
import { Worker, type WorkerOptions } from "node:worker_threads";
import type { Logger } from "pino";
import { projectRoot } from "../config";
import { ApiError } from "../errors";
import { unpackResult, type PackedResult } from "./packedResult";
import { preprocess, type PreprocessContext, type PreprocessResult } from "./preprocess";

/**
 * The compiled script a worker thread runs: beside this file in a build (dist/service/ingest/). Loaded from
 * the TypeScript sources (tests under ts-node, after `npm test` built), it is the build's copy: workers
 * always run the compiled JavaScript that production runs, never TypeScript.
 */
export function workerScript(): string {
  const beside = path.join(__dirname, "ingestWorker.js");
  if (fs.existsSync(beside)) return beside;
  const built = path.join(projectRoot(), "dist", "service", "ingest", "ingestWorker.js");
  if (fs.existsSync(built)) return built;
  throw new Error(`no compiled ingest worker at ${built}: run npm run build`);
}

/**
 * The parent's Node flags without its preloads: a worker inherits `-r ts-node/register` otherwise, and
 * loads ts-node and the TypeScript compiler (~50 MB and ~0.3 s per worker) to run plain JavaScript.
 * Process-wide flags (`--max-old-space-size`, …) are refused in a worker's own execArgv (they apply to the
 * whole process anyway), so if Node refuses the list, workers start with none.
 */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "-r" || a === "--require" || a === "--import" || a === "--loader" || a === "--experimental-loader") i++;
    else if (!/^--(require|import|loader|experimental-loader)=/.test(a)) out.push(a);
  }
  return out;
}

function newWorker(script: string, options: Omit<WorkerOptions, "execArgv">): Worker {
  const execArgv = workerExecArgv();
  try {
    return new Worker(script, { ...options, execArgv });
  } catch (e) {
    if (execArgv.length === 0 || (e as { code?: string }).code !== "ERR_WORKER_INVALID_EXEC_ARGV") throw e;
    return new Worker(script, { ...options, execArgv: [] });
  }
}

interface Slot {
  worker: Worker;
  busy: number;
  jobs: Map<number, { resolve: (r: PreprocessResult) => void; reject: (e: Error) => void }>;
}

/**
 * Runs {@link preprocess} (parse, digest, signature recovery: the CPU-heavy part of ingest) on worker
 * threads so both cores verify signatures while the main thread serves HTTP and commits. With `size` 0 it
 * runs inline. A worker that dies fails its jobs and is replaced.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;
  private readonly script: string;
  private inlineBusy = 0;
  private earlyDeaths = 0;
  /** Requests queued at the workers beyond which `run` refuses (503 BACKLOG_FULL): INGEST_QUEUE_MAX. */
  maxQueued = Infinity;

  constructor(
    private readonly ctx: PreprocessContext,
    size: number,
    private readonly log: Logger,
    private readonly helpInline = false,
  ) {
    this.script = size > 0 ? workerScript() : "";
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  get size(): number {
    return this.slots.length;
  }

  /** Requests being preprocessed now (queued on a worker or inline): a cheap sign that ingest is busy. */
  get inFlight(): number {
    let n = this.inlineBusy;
    for (const s of this.slots) n += s.busy;
    return n;
  }

  private spawn(): Slot {
    const worker = newWorker(this.script, {
      // Only what preprocessing needs: workers never see the operator's key (Acks are signed by admission).
      workerData: { domainSeparator: this.ctx.domainSeparator },
    });
    worker.unref();
    const slot: Slot = { worker, busy: 0, jobs: new Map() };
    const startedAt = Date.now();
    // A worker answers in the packed form (./packedResult) when it can, else with the result as it is.
    worker.on("message", (m: { id: number; result?: PreprocessResult; packed?: PackedResult; failure?: string }) => {
      const job = slot.jobs.get(m.id);
      if (!job) return;
      slot.jobs.delete(m.id);
      slot.busy--;
      if (m.packed !== undefined) job.resolve(unpackResult(m.packed));
      else if (m.result !== undefined) job.resolve(m.result);
      else job.reject(new Error(`ingest worker failed: ${m.failure ?? "unknown"}`));
    });
    const fail = (err: Error): void => {
      for (const j of slot.jobs.values()) j.reject(err);
      slot.jobs.clear();
      slot.busy = 0;
      const i = this.slots.indexOf(slot);
      if (i < 0 || this.closed) return;
      // A worker that dies young (cannot even load) is not replaced forever: after a few, run inline.
      this.earlyDeaths = Date.now() - startedAt < 2_000 ? this.earlyDeaths + 1 : 0;
      if (this.earlyDeaths >= 3) {
        this.log.error({ err }, "ingest workers keep dying at start; preprocessing on the main thread instead");
        this.slots.splice(i, 1);
        void worker.terminate();
        return;
      }
      this.log.error({ err }, "ingest worker died; replacing it");
      this.slots[i] = this.spawn();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => {
      if (!this.closed) fail(new Error(`ingest worker exited with code ${code}`));
    });
    return slot;
  }

  /** Preprocesses `body` on the least busy worker (inline when the pool is empty). */
  run(body: Buffer): Promise<PreprocessResult> {
    if (this.slots.length === 0) return Promise.resolve(preprocess(body, this.ctx));
    if (this.queued() >= this.maxQueued) {
      const e = new ApiError("BACKLOG_FULL", "the ingest workers have a full queue; retry shortly", undefined, 1);
      return Promise.reject(e);
    }
    let slot = this.slots[0] as Slot;
    for (const s of this.slots) if (s.busy < slot.busy) slot = s;
    if (this.helpInline && slot.busy > 0 && this.inlineBusy === 0) {
      // Every worker has work queued: the main thread takes this one itself (one at a time), so that on
      // a small machine both cores verify signatures without another worker's memory.
      this.inlineBusy++;
      return new Promise((resolve, reject) =>
        setImmediate(() => {
          try {
            resolve(preprocess(body, this.ctx));
          } catch (e) {
            reject(e as Error);
          } finally {
            this.inlineBusy--;
          }
        }),
      );
    }
    const id = this.nextId++;
    slot.busy++;
    return new Promise((resolve, reject) => {
      slot.jobs.set(id, { resolve, reject });
      // A body that is a whole ArrayBuffer of its own (a large request's, once the HTTP layer has
      // concatenated it) moves to the worker as it is; one that may share a pooled ArrayBuffer is copied.
      const own =
        body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer;
      const moved = own ? new Uint8Array(body.buffer, 0, body.byteLength) : Uint8Array.from(body);
      slot.worker.postMessage({ id, body: moved }, [moved.buffer as ArrayBuffer]);
    });
  }

  /** Requests handed to the workers (or the main thread) and not answered yet. */
  queued(): number {
    let n = this.inlineBusy;
    for (const s of this.slots) n += s.busy;
    return n;
  }

  /**
   * Stops the workers once their jobs in flight have answered (bounded by `graceMs`): terminating a worker
   * in the middle of a native call (libsecp256k1) aborts the whole process instead of failing the job.
   */
  async close(graceMs = 5_000): Promise<void> {
    this.closed = true;
    const deadline = Date.now() + graceMs;
    while (this.slots.some((s) => s.busy > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}
