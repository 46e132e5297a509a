/**
 * Measures accepted → anchored latency at a steady rate (default 1,000 receipts/s for 15 s, items of 50)
 * from the service's own histogram (`repayproof_anchor_latency_seconds`), against a local Hardhat node.
 *   npx ts-node --transpile-only service/tools/measureLatency.ts [ratePerSecond=1000] [seconds=15]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { keccakReady, KIND } from "../../verifier";
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

const ITEMS = 50;

function quantile(metrics: string, q: number): string {
  const buckets = [...metrics.matchAll(/repayproof_anchor_latency_seconds_bucket\{le="([^"]+)"\} (\d+)/g)].map((m) => ({
    le: m[1] as string,
    n: Number(m[2]),
  }));
  const total = buckets[buckets.length - 1]?.n ?? 0;
  return buckets.find((b) => b.n >= q * total)?.le ?? "?";
}

async function main(): Promise<void> {
  await keccakReady();
  const rate = Number(process.argv[2] ?? 1000);
  const seconds = Number(process.argv[3] ?? 15);
  const node = await startHardhatNode();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-latency-"));
  try {
    const d = await deployOn(node.url);
    const p = makeParties();
    const interval = process.env.BATCH_INTERVAL_MS ?? "2000";
    const svc = await spawnService(serviceEnv(node.url, d, dir, { LOG_LEVEL: "warn", BATCH_INTERVAL_MS: interval }));
    try {
      const agreementId = randomId();
      await fetch(`${svc.url}/v1/agreements`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(await agreementBody(d, p, agreementId)),
      });
      const total = rate * seconds;
      const bodies: string[] = [];
      for (let i = 0; i < total / ITEMS; i++) {
        const items = Array.from(
          { length: ITEMS },
          () => signReceipt(d, makeReceipt(agreementId, p.channel, KIND.SETTLED), p.channel).item,
        );
        bodies.push(JSON.stringify({ items }));
      }
      const every = (1000 * ITEMS) / rate;
      const t0 = Date.now();
      const inflight: Promise<unknown>[] = [];
      for (let i = 0; i < bodies.length; i++) {
        const due = t0 + i * every;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
        inflight.push(
          fetch(`${svc.url}/v1/receipts`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: bodies[i],
          }),
        );
      }
      await Promise.all(inflight);
      for (;;) {
        const h = (await (await fetch(`${svc.url}/healthz`)).json()) as { backlog: number };
        if (h.backlog === 0) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const metrics = await (await fetch(`${svc.url}/metrics`)).text();
      console.log(
        JSON.stringify({
          rate,
          seconds,
          batchIntervalMs: Number(interval),
          p50AtMostS: quantile(metrics, 0.5),
          p99AtMostS: quantile(metrics, 0.99),
        }),
      );
    } finally {
      await svc.kill();
    }
  } finally {
    await stopChild(node.child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
