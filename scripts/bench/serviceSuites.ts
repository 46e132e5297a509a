import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { deployContracts, type Deployment } from "../lib/deployContracts";
import { postBody, registerAgreement, signedBodies, type LoadAgreement } from "./loadGenerator";
import { figure, ratioRuns, seconds, settle } from "./measure";
import { rawRecovery } from "./secpSuite";
import { log, type BenchOptions } from "./options";
import { startHardhatNode, startServiceProcess, type Child } from "./processes";
import type { Row } from "./report";

const HARDHAT_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const ITEMS = 500;
const CLIENTS = 4;

interface Session {
  readonly node: Child;
  readonly d: Deployment;
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
  svc: Child;
  agreement: LoadAgreement;
  stream: string;
  stored: number;
  bytesPerItem: number[];
}

/** Sends `bodies` with `CLIENTS` concurrent clients, each posting its share one after another. */
async function blast(url: string, bodies: readonly string[]): Promise<number> {
  let next = 0;
  let accepted = 0;
  const client = async (): Promise<void> => {
    while (next < bodies.length) {
      // Read the count after the await: `accepted += await …` would lose the other clients' updates.
      const n = await postBody(url, bodies[next++] as string);
      accepted += n;
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return accepted;
}

/** Signed receipts per second through HTTP (items of 500, 4 clients), each acknowledged durably. */
async function ingest(s: Session, opts: BenchOptions): Promise<Row> {
  const perRun = opts.quick ? CLIENTS : CLIENTS * 5;
  await blast(
    s.svc.url,
    signedBodies(s.agreement, s.d, 2, ITEMS).map((b) => b.body),
  ); // warm up
  s.stored += 2 * ITEMS;
  const rates: number[] = [];
  const raws: number[] = [];
  const raw = await rawRecovery();
  try {
    for (let r = 0; r < opts.runs; r++) {
      const bodies = signedBodies(s.agreement, s.d, perRun, ITEMS);
      s.bytesPerItem.push(...bodies.map((b) => b.bytesPerItem));
      await settle();
      raws.push(await raw.measure(opts.rateSeconds));
      await settle();
      let accepted = 0;
      const t = await seconds(
        async () =>
          (accepted = await blast(
            s.svc.url,
            bodies.map((b) => b.body),
          )),
      );
      s.stored += accepted;
      rates.push(accepted / t);
      log(
        `ingest run ${r + 1}: ${accepted} receipts in ${t.toFixed(2)} s = ${Math.round(accepted / t)}/s, raw recovery ${Math.round(raws[r] as number)}/s`,
      );
    }
  } finally {
    await raw.close();
  }
  const ours = figure(rates, "receipts/s");
  const rawFig = figure(raws, "recoveries/s");
  return {
    suite: "ingest through HTTP, durable writes",
    size: `items of ${ITEMS}, ${CLIENTS} clients`,
    ours: { label: "the running service", figure: ours },
    reference: { label: "raw libsecp256k1 recovery, all cores", figure: rawFig },
    ratio: { runs: ratioRuns(ours, rawFig), label: " of raw" },
    goal: { text: "≥ 0.4 of raw recovery", target: 0.4, direction: "atLeast" },
    note: `service as a child process (scripts/service.ts, default WORKERS = cores, BATCH_MAX and BATCH_INTERVAL_MS at their defaults) on the same ${os.cpus().length} cores as the load generator and the Hardhat node; receipts pre-signed before timing; every item checked accepted; the raw rate (ecdsaRecover in one worker per core, service idle) is measured right before each ingest run and each run's ratio uses its own`,
  };
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

/** Bytes of every file under `dir`. */
function du(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? du(p) : fs.statSync(p).size;
  }
  return total;
}

/** Fills the store to `target` receipts through HTTP, signing in chunks so memory stays flat. */
async function fill(s: Session, target: number): Promise<void> {
  const chunk = 40;
  let last = Date.now();
  while (s.stored < target) {
    const n = Math.min(chunk, Math.ceil((target - s.stored) / ITEMS));
    const bodies = signedBodies(s.agreement, s.d, n, ITEMS);
    s.bytesPerItem.push(...bodies.map((b) => b.bytesPerItem));
    s.stored += await blast(
      s.svc.url,
      bodies.map((b) => b.body),
    );
    if (Date.now() - last > 15_000) {
      log(`filling the store: ${s.stored} / ${target} receipts`);
      last = Date.now();
    }
  }
}

/** Reads every key and value of the LevelDB at `dir` once (what a full scan at start would cost). */
async function readOnce(dir: string): Promise<number> {
  const { Level } = await import("level");
  const db = new Level<Buffer, Buffer>(dir, { keyEncoding: "buffer", valueEncoding: "buffer" });
  await db.open();
  let bytes = 0;
  try {
    const it = db.iterator();
    for (;;) {
      const entries = await it.nextv(1000);
      if (entries.length === 0) break;
      for (const [k, v] of entries) bytes += k.length + v.length;
    }
    await it.close();
  } finally {
    await db.close();
  }
  return bytes;
}

/** Restart with N stored receipts (time to ready vs a single read of the data) and disk per receipt. */
async function restartAndDisk(s: Session, opts: BenchOptions): Promise<Row[]> {
  const target = opts.quick ? 20_000 : 1_000_000;
  await fill(s, target);
  await s.svc.stop();
  const { loadConfig } = await import("../../service/config");
  const { startService } = await import("../../service/server");
  const pino = (await import("pino")).default;
  const config = { ...loadConfig(s.env), port: 0 };
  const ready: number[] = [];
  const read: number[] = [];
  const disk: number[] = [du(s.dataDir) / s.stored];
  let dataBytes = 0;
  for (let r = 0; r < opts.runs; r++) {
    await settle();
    let svc: Awaited<ReturnType<typeof startService>> | undefined;
    ready.push(await seconds(async () => (svc = await startService(config, { logger: pino({ level: "silent" }) }))));
    await svc!.close();
    await settle();
    read.push(await seconds(async () => (dataBytes = await readOnce(s.dataDir))));
    if (r > 0) disk.push(du(s.dataDir) / s.stored);
    log(
      `restart run ${r + 1}: ready in ${ready.at(-1)!.toFixed(2)} s, one read of ${dataBytes} bytes in ${read.at(-1)!.toFixed(2)} s`,
    );
  }
  const readyFig = figure(ready, "s");
  const readFig = figure(read, "s");
  const rawJson = s.bytesPerItem.reduce((a, b) => a + b, 0) / s.bytesPerItem.length;
  const size = `${s.stored.toLocaleString("en-US")} stored receipts`;
  return [
    {
      suite: "restart",
      size,
      ours: { label: "startService → ready", figure: readyFig },
      reference: { label: "one read of all LevelDB entries", figure: readFig },
      ratio: { runs: ready.map((x, i) => x / (read[i] as number)), label: "× the read" },
      goal: { text: "≤ 0.1 (no full scan at start)", target: 0.1, direction: "atMost" },
      note: `startService in process (no process boot or TypeScript compile counted), against the same Hardhat node; the read iterates every key and value of DATA_DIR (${dataBytes.toLocaleString("en-US")} bytes of keys and values) with level's iterator`,
    },
    {
      suite: "disk per stored receipt",
      size,
      ours: { label: "DATA_DIR bytes / receipt", figure: figure(disk, "bytes") },
      reference: { label: "item JSON { receipt, signature }", figure: figure([rawJson, rawJson, rawJson], "bytes") },
      ratio: { runs: disk.map((x) => x / rawJson), label: "× the JSON" },
      goal: { text: "≤ 2×", target: 2, direction: "atMost" },
      note: "DATA_DIR measured after the service stopped and after each restart (LevelDB compacts in the background); it holds receipts, acks, nonces, batches with their leaves, and the indexes by loan and agreement",
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
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      RPC_URL: node.url,
      DATA_DIR: dataDir,
      REGISTRY_ADDRESS: d.registry,
      ANCHOR_ADDRESS: d.anchor,
      DEPLOYMENT_BLOCK: String(d.blockNumber),
      BATCH_INTERVAL_MS: String(intervalMs),
      CONFIRMATIONS: "1",
      RATE_LIMIT_RPS: "1000000",
      LOG_LEVEL: "warn",
    };
    const svc = await startServiceProcess(env);
    const agreement = await registerAgreement(svc.url, d);
    const info = (await (await fetch(`${svc.url}/v1/info`)).json()) as { stream: string };
    s = { node, d, dataDir, env, svc, agreement, stream: info.stream, stored: 0, bytesPerItem: [] };
    const rows: Row[] = [await ingest(s, opts)];
    rows.push(...(await latency(s, opts, intervalMs)));
    rows.push(...(await restartAndDisk(s, opts)));
    return rows;
  } finally {
    await s?.svc.stop();
    await node.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
