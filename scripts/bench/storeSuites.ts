import fs from "node:fs";
import path from "node:path";
import { postBodyPatiently, signedBodies } from "./loadGenerator";
import { figure, seconds, settle } from "./measure";
import { log, type BenchOptions } from "./options";
import { CLIENTS, ITEMS, type Session } from "./ingestSuite";
import type { Row } from "./report";

/** Bytes of every file under `dir`. */
function du(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? du(p) : fs.statSync(p).size;
  }
  return total;
}

/**
 * Fills the store to `target` receipts through HTTP, signing in chunks so memory stays flat. It posts as fast
 * as the service takes them, and waits whenever the service pushes back (its backlog full: sealing and
 * anchoring are behind): what it logs is the sustained rate, not the burst rate of the ingest rows.
 */
export async function fill(s: Session, target: number): Promise<void> {
  const chunk = 40;
  const started = Date.now();
  const from = s.stored;
  let last = started;
  let waited = 0;
  while (s.stored < target) {
    const n = Math.min(chunk, Math.ceil((target - s.stored) / ITEMS));
    const bodies = signedBodies(s.agreement, s.d, n, ITEMS);
    s.bytesPerItem.push(...bodies.map((b) => b.bytesPerItem));
    let next = 0;
    const client = async (): Promise<void> => {
      while (next < bodies.length) {
        const r = await postBodyPatiently(s.svc.url, (bodies[next++] as { body: string }).body);
        s.stored += r.accepted;
        waited += r.waited;
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    if (Date.now() - last > 15_000 || s.stored >= target) {
      const rate = ((s.stored - from) * 1000) / (Date.now() - started);
      log(
        `filling the store: ${s.stored} / ${target} receipts, ${rate.toFixed(0)}/s sustained, ${waited} s waited on backpressure (all clients)`,
      );
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

/** How many receipts the store holds for the restart, disk and memory rows. */
export const storeTarget = (opts: BenchOptions): number =>
  Number(process.env.STORE_BENCH_RECEIPTS ?? (opts.quick ? 20_000 : 1_000_000));

/** Restart with the stored receipts (time to ready vs a single read of the data) and disk per receipt. */
export async function restartAndDisk(s: Session, opts: BenchOptions): Promise<Row[]> {
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
