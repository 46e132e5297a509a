/**
 * Measures ingest: signed receipts/s through HTTP (items of 500, 4 concurrent clients, durable group
 * commit) against the raw single-thread libsecp256k1 recovery rate × 2 (both cores), the design's
 * physical limit. Spawns its own Hardhat node and service process (scripts/service.ts) on free ports.
 *   npx ts-node --transpile-only service/tools/measureIngest.ts [requestsPerClient=12]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fromHex, keccakReady, KIND, recoverAddress } from "../../verifier";
import { startHardhatNode, stopChild } from "../../test/service/helpers/hardhatNode";
import { serviceEnv } from "../../test/service/helpers/inProcess";
import {
  agreementBody,
  deployOn,
  makeParties,
  makeReceipt,
  randomId,
  signReceipt,
} from "../../test/service/helpers/parties";
import { spawnService } from "../../test/service/helpers/serviceProcess";

const CLIENTS = 4;
const ITEMS = 500;

async function main(): Promise<void> {
  await keccakReady();
  const perClient = Number(process.argv[2] ?? 12);
  const node = await startHardhatNode();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-ingest-"));
  try {
    const d = await deployOn(node.url);
    const p = makeParties();
    const svc = await spawnService(
      serviceEnv(node.url, d, dir, {
        LOG_LEVEL: "warn",
        BATCH_MAX: "8192",
        BATCH_INTERVAL_MS: "1000",
        ...(process.env.WORKERS ? { WORKERS: process.env.WORKERS } : {}),
        ...(process.env.MAIN_THREAD_VERIFIES ? { MAIN_THREAD_VERIFIES: process.env.MAIN_THREAD_VERIFIES } : {}),
      }),
      60_000,
      process.env.SERVICE_EXEC_ARGV ? process.env.SERVICE_EXEC_ARGV.split(" ") : [],
    );
    try {
      const agreementId = randomId();
      const reg = await fetch(`${svc.url}/v1/agreements`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(await agreementBody(d, p, agreementId)),
      });
      if (reg.status !== 201) throw new Error(`register: ${reg.status}`);
      // Pre-sign and pre-serialise every request so the clock measures the service only.
      const bodies: string[][] = [];
      const sample: { digest: string; signature: string }[] = [];
      for (let c = 0; c < CLIENTS; c++) {
        const reqs: string[] = [];
        for (let r = 0; r < perClient; r++) {
          const items = Array.from({ length: ITEMS }, () =>
            signReceipt(d, makeReceipt(agreementId, p.channel, KIND.SETTLED), p.channel),
          );
          if (sample.length < 5000)
            for (const it of items) sample.push({ digest: it.digest, signature: it.item.signature });
          reqs.push(JSON.stringify({ items: items.map((i) => i.item) }));
        }
        bodies.push(reqs);
      }
      const idleRssMb =
        Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${svc.child.pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
      // Warm-up request (worker start, JIT).
      await fetch(`${svc.url}/v1/receipts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: bodies[0]!.pop()!,
      });

      const svcCpu0 = processCpuMs(svc.child.pid);
      const threads0 = threadCpuMs(svc.child.pid);
      const genCpu0 = process.cpuUsage();
      const t0 = performance.now();
      let accepted = 0;
      await Promise.all(
        bodies.map(async (reqs) => {
          for (const body of reqs) {
            const res = await fetch(`${svc.url}/v1/receipts`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body,
            });
            const j = (await res.json()) as { results: { digest?: string }[] };
            accepted += j.results.filter((x) => x.digest).length;
          }
        }),
      );
      const secs = (performance.now() - t0) / 1000;
      const rate = accepted / secs;
      const svcCpuMs = processCpuMs(svc.child.pid) - svcCpu0;
      const gen = process.cpuUsage(genCpu0);
      const threads = threadCpuMs(svc.child.pid);
      const perThread: Record<string, number> = {};
      for (const [tid, t] of threads) {
        const used = t.ms - (threads0.get(tid)?.ms ?? 0);
        if (used > 0) perThread[t.name] = Math.round((perThread[t.name] ?? 0) + (used * 1000) / accepted);
      }
      const genCpuMs = (gen.user + gen.system) / 1000;

      const status = fs.readFileSync(`/proc/${svc.child.pid}/status`, "utf8");
      const peakRssMb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
      const t1 = performance.now();
      for (const s of sample) recoverAddress(fromHex(s.digest), s.signature);
      const recoverRate = sample.length / ((performance.now() - t1) / 1000);
      console.log(
        JSON.stringify(
          {
            accepted,
            seconds: Number(secs.toFixed(2)),
            receiptsPerSecond: Math.round(rate),
            recoverSingleThreadPerSecond: Math.round(recoverRate),
            ratioToTwoCores: Number((rate / (2 * recoverRate)).toFixed(3)),
            serviceIdleRssMb: Math.round(idleRssMb),
            servicePeakRssMb: Math.round(peakRssMb),
            // CPU per accepted receipt during the timed window: the service (all its threads) and this
            // load generator (which shares the machine), so a change can be judged by what it costs.
            serviceCpuUsPerReceipt: Math.round((svcCpuMs * 1000) / accepted),
            loadGeneratorCpuUsPerReceipt: Math.round((genCpuMs * 1000) / accepted),
            serviceCpuUsPerReceiptByThread: perThread,
          },
          null,
          2,
        ),
      );
    } finally {
      await svc.kill();
    }
  } finally {
    await stopChild(node.child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU time (user + system, all threads) a process has used so far, in ms, from /proc (Linux). */
function processCpuMs(pid: number | undefined, file = `/proc/${pid}/stat`): number {
  const stat = fs.readFileSync(file, "utf8");
  // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks at USER_HZ 100
}

/** CPU ms per thread of a process, keyed by thread id, with the thread's name (/proc/<pid>/task). */
function threadCpuMs(pid: number | undefined): Map<string, { name: string; ms: number }> {
  const out = new Map<string, { name: string; ms: number }>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      const ms = processCpuMs(Number(tid), `/proc/${pid}/task/${tid}/stat`);
      out.set(tid, { name: name === "node" && tid === String(pid) ? "main" : name, ms });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
