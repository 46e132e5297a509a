import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { deployContracts } from "../lib/deployContracts";
import { blast, CLIENTS, cpuRows, ingestRow, ingestRuns, ITEMS, rssRow, type Session } from "./ingestSuite";
import { postBody, registerAgreement, signedBodies } from "./loadGenerator";
import { figure } from "./measure";
import { rawRecovery, type RawRecovery } from "./secpSuite";
import { log, type BenchOptions } from "./options";
import { preprocessSuite } from "./preprocessSuite";
import { benchServiceEnv, startHardhatNode, startServiceProcess } from "./processes";
import type { Row } from "./report";
import { fill, restartAndDisk, storeTarget } from "./storeSuites";

const HARDHAT_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/** Signed receipts per second through HTTP (items of 500, 4 clients), each acknowledged durably; CPU and RSS. */
async function ingest(s: Session, raw: RawRecovery, opts: BenchOptions): Promise<Row[]> {
  await blast(
    s.svc.url,
    signedBodies(s.agreement, s.d, 2, ITEMS).map((b) => b.body),
  ); // warm up
  s.stored += 2 * ITEMS;
  const runs = await ingestRuns(s, raw, opts, opts.runs);
  const size = `items of ${ITEMS}, ${CLIENTS} clients`;
  const row = ingestRow(runs, size, true);
  return [
    {
      ...row,
      note: `service as a child process (scripts/service.ts, default WORKERS = cores, BATCH_MAX and BATCH_INTERVAL_MS at their defaults) on the same ${os.cpus().length} cores as the load generator and the Hardhat node; receipts pre-signed before timing; every item checked accepted; the raw rate (ecdsaRecover in one worker per core, service idle) is measured right before each ingest run and each run's ratio uses its own`,
    },
    ...cpuRows(runs, size).map((r, i) =>
      i === 0
        ? {
            ...r,
            note: "the service's CPU time (user + system, /proc/<pid>/task/*/stat) during each timed ingest run over the receipts it accepted; ingest workers name their threads `ingest-worker`; a bare recovery's CPU is the thread CPU time per ecdsaRecover of the raw-rate workers, measured right before each run; the load generator is this bench process (fetch, JSON of bodies and answers)",
          }
        : r,
    ),
    ...rssRow(runs, size, false),
  ];
}

/** Receipts accepted and not yet anchored, from the service's metrics. */
async function backlog(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^repayproof_backlog_receipts (\d+)/m.exec(text)?.[1] ?? NaN);
}

/**
 * Waits until the backlog the fill left behind is anchored (at most one batch left), so that the timed runs
 * start from the same state as the ingest rows' and are not refused for a full backlog; logs how fast it went.
 */
async function drain(s: Session): Promise<void> {
  const started = Date.now();
  const from = await backlog(s.svc.url);
  let left = from;
  while (left > 4096) {
    if (Date.now() - started > 30 * 60_000) throw new Error(`bench: ${left} receipts still not anchored after 30 min`);
    await new Promise((res) => setTimeout(res, 1000));
    left = await backlog(s.svc.url);
  }
  const secs = (Date.now() - started) / 1000;
  log(
    `backlog after the fill: ${from} receipts, down to ${left} in ${secs.toFixed(0)} s (${((from - left) / Math.max(secs, 1)).toFixed(0)}/s sealed and anchored, nothing arriving)`,
  );
}

/** The ingest load again once the store holds the restart rows' receipts: memory (the goal) and rate. */
async function ingestWhenFull(s: Session, raw: RawRecovery, opts: BenchOptions): Promise<Row[]> {
  await fill(s, storeTarget(opts));
  await drain(s);
  const size = `${Math.round(s.stored / 1000).toLocaleString("en-US")}k stored receipts, items of ${ITEMS}`;
  const runs = await ingestRuns(s, raw, opts, opts.runs);
  return [
    ...rssRow(runs, size, true).map((r, i) =>
      i === 0
        ? {
            ...r,
            note: "the same service process that filled the store, its VmHWM reset (/proc/<pid>/clear_refs) right before each timed ingest run and read right after it; RSS counts the main thread, the ingest workers, LevelDB's caches and the pages of LevelDB's table files it has mmapped (the next row splits them)",
          }
        : r,
    ),
    ingestRow(runs, size, false),
    ...cpuRows(runs, size).slice(0, 1),
  ];
}

interface BatchView {
  state: string;
  digests: string[];
}

/** accepted → anchored at a steady 1,000 receipts/s: p50 and p99 per run. */
async function latency(s: Session, opts: BenchOptions, intervalMs: number): Promise<Row[]> {
  const secondsPerRun = opts.quick ? 3 : 10;
  const TICK_MS = 100;
  const perTick = 100; // 100 receipts every 100 ms = 1,000/s
  const p50: number[] = [];
  const p99: number[] = [];
  let seq = 0;
  for (let r = 0; r < opts.runs; r++) {
    const bodies = signedBodies(s.agreement, s.d, (secondsPerRun * 1000) / TICK_MS, perTick);
    const acceptedAt = new Map<string, number>();
    const anchoredAt = new Map<string, number>();
    let observing = true;
    // The observer reads the public batch endpoint, as an outsider would, and notes when each batch is anchored.
    const observer = (async () => {
      while (observing || anchoredAt.size < acceptedAt.size) {
        const res = await fetch(`${s.svc.url}/v1/batches/${s.stream}/${seq}`);
        if (res.status === 200) {
          const b = (await res.json()) as BatchView;
          if (b.state === "anchored" || b.state === "final") {
            const now = Date.now();
            for (const d of b.digests) if (acceptedAt.has(d) && !anchoredAt.has(d)) anchoredAt.set(d, now);
            seq++;
            continue;
          }
        } else {
          await res.arrayBuffer();
        }
        await new Promise((res2) => setTimeout(res2, 50));
      }
    })();
    const start = Date.now();
    const sends: Promise<void>[] = [];
    for (let i = 0; i < bodies.length; i++) {
      const due = start + i * TICK_MS;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((res2) => setTimeout(res2, wait));
      const b = bodies[i]!;
      sends.push(
        postBody(s.svc.url, b.body).then(() => {
          const now = Date.now();
          for (const d of b.digests) acceptedAt.set(d, now);
        }),
      );
    }
    await Promise.all(sends);
    s.stored += bodies.length * perTick;
    const deadline = Date.now() + 180_000;
    while (anchoredAt.size < acceptedAt.size && Date.now() < deadline)
      await new Promise((res2) => setTimeout(res2, 100));
    observing = false;
    if (anchoredAt.size < acceptedAt.size)
      throw new Error(`bench: ${acceptedAt.size - anchoredAt.size} receipts not anchored in 180 s`);
    await observer;
    const lat = [...acceptedAt].map(([d, t]) => (anchoredAt.get(d) as number) - t).sort((a, b) => a - b);
    const q = (p: number): number => (lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] as number) / 1000;
    p50.push(q(0.5));
    p99.push(q(0.99));
    log(`latency run ${r + 1}: ${lat.length} receipts, p50 ${q(0.5).toFixed(2)} s, p99 ${q(0.99).toFixed(2)} s`);
  }
  const interval = figure(
    p99.map(() => intervalMs / 1000),
    "s",
  );
  const size = "steady 1,000 receipts/s";
  const note = `BATCH_INTERVAL_MS ${intervalMs}, CONFIRMATIONS 1, POLL_MS default; accepted = the 202 reaching the client, anchored = the client seeing the batch "anchored" on GET /v1/batches (polled every 50 ms, so figures may be up to ~50 ms late); Hardhat node automining`;
  return [
    {
      suite: "accepted → anchored, p50",
      size,
      ours: { label: "p50", figure: figure(p50, "s") },
      reference: { label: "BATCH_INTERVAL_MS", figure: interval },
      note,
    },
    {
      suite: "accepted → anchored, p99",
      size,
      ours: { label: "p99", figure: figure(p99, "s") },
      reference: { label: "BATCH_INTERVAL_MS", figure: interval },
      ratio: { runs: p99.map((x) => x - intervalMs / 1000), label: " s over the interval" },
      goal: { text: "p99 ≤ interval + 1 s", target: 1, direction: "atMost" },
    },
  ];
}

/**
 * The suites that need the running service, against a real Hardhat node (spawned) and the service as a
 * child process, driven through HTTP by a load generator with real signatures made before timing.
 */
export async function serviceSuites(opts: BenchOptions): Promise<Row[]> {
  const node = await startHardhatNode();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-bench-"));
  let s: Session | undefined;
  try {
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    const d = await deployContracts(new Wallet(HARDHAT_KEY_0, provider));
    provider.destroy();
    const intervalMs = 2000;
    const env = benchServiceEnv(node.url, d, { DATA_DIR: dataDir, BATCH_INTERVAL_MS: String(intervalMs) });
    const svc = await startServiceProcess(env);
    const agreement = await registerAgreement(svc.url, d);
    const info = (await (await fetch(`${svc.url}/v1/info`)).json()) as { stream: string };
    s = { node, d, dataDir, env, svc, agreement, stream: info.stream, stored: 0, bytesPerItem: [] };
    const raw = await rawRecovery();
    const rows: Row[] = [...(await preprocessSuite(opts))];
    try {
      rows.push(...(await ingest(s, raw, opts)));
      rows.push(...(await latency(s, opts, intervalMs)));
      rows.push(...(await ingestWhenFull(s, raw, opts)));
    } finally {
      await raw.close();
    }
    rows.push(...(await restartAndDisk(s, opts)));
    return rows;
  } finally {
    await s?.svc.stop();
    await node.stop();
    if (process.env.BENCH_KEEP_DATA) log(`kept ${dataDir}`);
    else fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
