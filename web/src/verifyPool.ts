import { readText, verifyText, type Chain, type Outcome } from "./verifyFile";
import type { Contracts, FromWorker, ToWorker } from "./workerMessages";

/**
 * Verifies many files on every core: Web Workers started from a Blob URL of the bundled worker code
 * (./verifyWorker; a Blob URL works from file:// too), each with its own RPC connection, each pulling files
 * as it finishes others. Wherever workers cannot run (no Worker, a policy refusing blob: scripts, a worker
 * that dies), the files left over are verified on the page's own thread with the same code: the outcome is
 * the same either way, only the time differs. `?workers=N` in the page's address sets how many (0: none).
 */

/** The worker bundle, defined by scripts/buildWeb.js; absent in a build without it. */
declare const REPAYPROOF_WORKER_SOURCE: string | undefined;

/** Files verified at once on the page's thread: enough to keep the RPC busy while signatures are checked. */
const IN_FLIGHT = 64;
/** Files posted to a worker in one message; it holds 0.5 to 1.5 times as many, all in flight (./verifyWorker). */
const CHUNK = 64;
/** More workers than this only multiply RPC connections and memory. */
const MAX_WORKERS = 8;

export interface Job {
  files: readonly File[];
  chain: Chain;
  rpcUrl: string;
  contracts: Contracts;
}

type OnResult = (i: number, outcome: Outcome) => void;

/** The files not yet handed out, and how many go in one message (fewer when there are few: every worker gets some). */
interface Queue {
  take(): number | undefined;
  chunk: number;
}

let scriptUrl: string | undefined;

/** Up to `count` workers, fewer (none) where the browser will not start them. */
function startWorkers(count: number): Worker[] {
  if (count < 1 || typeof REPAYPROOF_WORKER_SOURCE !== "string" || typeof Worker === "undefined") return [];
  const workers: Worker[] = [];
  try {
    scriptUrl ??= URL.createObjectURL(new Blob([REPAYPROOF_WORKER_SOURCE], { type: "text/javascript" }));
    while (workers.length < count) workers.push(new Worker(scriptUrl));
  } catch {
    // a Content-Security-Policy without blob: for workers, or no Blob URLs: what started, if any, runs
  }
  return workers;
}

/** Idle workers: started before the files arrive (their code compiled, the keccak loaded), kept between runs. */
const idle: Worker[] = [];

/** Drops a worker from `idle` for good (it failed to load, or died waiting). */
function discard(w: Worker): void {
  const at = idle.indexOf(w);
  if (at >= 0) idle.splice(at, 1);
  w.terminate();
}

function rest(w: Worker): void {
  w.onmessage = null;
  w.onmessageerror = null;
  w.onerror = (e) => {
    e.preventDefault();
    discard(w);
  };
  if (idle.length < MAX_WORKERS) idle.push(w);
  else w.terminate();
}

/** Starts the workers a run would use, so that the first files do not wait for them to load. */
export function prestartWorkers(): void {
  startWorkers(workerCount(MAX_WORKERS) - idle.length).forEach(rest);
}

/**
 * One a core but the page's (it reads no file, only posts them, and draws the outcomes), at least one; or
 * `?workers=N` in the page's address (0: the page's own thread only).
 */
function workerCount(files: number): number {
  const asked = Number.parseInt(new URLSearchParams(window.location.search).get("workers") ?? "", 10);
  const wanted = Number.isInteger(asked) && asked >= 0 ? asked : Math.max(1, (navigator.hardwareConcurrency || 1) - 1);
  return Math.min(wanted, MAX_WORKERS, files);
}

/**
 * Feeds one worker from `queue`, `chunk` files a message, keeping between chunk / 2 and 3 chunk / 2 with it,
 * until nothing is left; what it could not do (or held when it died) goes to `redo`. The worker reads the
 * files itself: on Chromium a File read (or sized) costs the page's thread a few milliseconds of IPC,
 * posting it to a worker less than one, and one message for many files less than one for each.
 */
function drive(w: Worker, job: Job, queue: Queue, onResult: OnResult, redo: number[]): Promise<void> {
  const { take, chunk } = queue;
  return new Promise((resolve) => {
    const held = new Set<number>();
    let done = false;
    const finish = (alive: boolean): void => {
      if (done) return;
      done = true;
      redo.push(...held);
      if (alive && held.size === 0) rest(w);
      else w.terminate();
      resolve();
    };
    const feed = (): void => {
      if (done || held.size > chunk / 2) return;
      const files: { i: number; file: File }[] = [];
      for (let i = take(); i !== undefined; i = files.length < chunk ? take() : undefined) {
        held.add(i);
        files.push({ i, file: job.files[i] as File });
      }
      if (files.length > 0) w.postMessage({ type: "verify", files } satisfies ToWorker);
      if (held.size === 0) finish(true);
    };
    w.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      held.delete(m.i);
      if (m.type === "result") onResult(m.i, m.outcome);
      else redo.push(m.i);
      feed();
    };
    w.onerror = (e) => {
      e.preventDefault();
      finish(false);
    };
    w.onmessageerror = () => finish(false);
    const { rpcUrl, contracts } = job;
    w.postMessage({ type: "init", rpcUrl, chainId: job.chain.chainId.toString(), contracts } satisfies ToWorker);
    feed();
  });
}

/** Files `indexes` on the page's own thread, IN_FLIGHT at a time (they share the provider's JSON-RPC batches). */
async function onPage(job: Job, indexes: readonly number[], onResult: OnResult): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < indexes.length) {
      const i = indexes[next++] as number;
      onResult(i, await verifyText(await readText(job.files[i] as File), job.chain, job.contracts));
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, indexes.length) }, lane));
}

/** Verifies every file of `job`, calling `onResult` once per file (in the order they finish). */
export async function verifyAll(job: Job, onResult: OnResult): Promise<void> {
  const count = workerCount(job.files.length);
  const warm = idle.splice(0, count);
  const workers = warm.concat(startWorkers(count - warm.length));
  let next = 0;
  const take = (): number | undefined => (next < job.files.length ? next++ : undefined);
  const redo: number[] = [];
  const chunk = Math.max(1, Math.min(CHUNK, Math.ceil(job.files.length / workers.length)));
  await Promise.all(workers.map((w) => drive(w, job, { take, chunk }, onResult, redo)));
  for (let i = take(); i !== undefined; i = take()) redo.push(i);
  await onPage(job, redo, onResult);
}
