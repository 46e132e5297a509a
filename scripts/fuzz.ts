/**
 * `npm run fuzz [-- --bodies 100000] [-- --seed 42]`: the request-body fuzzer (scripts/lib/fuzzRun.ts) at
 * length, against a fresh Hardhat node and the service in this process: hostile bodies to POST /v1/receipts
 * and POST /v1/agreements, never a 5xx, only documented refusals, nothing stored or mined on refusal. Prints
 * the counts (docs/security.md quotes a run) and exits 1 at the first broken rule, with the body and seed.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { JsonRpcProvider } from "ethers";
import pino from "pino";
import { loadConfig } from "../service/config";
import { startService } from "../service/server";
import { deployOn, startHardhatNode } from "./devnet";
import { fuzzTemplates } from "./lib/fuzzTarget";
import { runFuzz } from "./lib/fuzzRun";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i < 0 ? undefined : Number(process.argv[i + 1]);
  if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0)) throw new Error(`${name} takes a whole number`);
  return v ?? fallback;
}

async function main(): Promise<void> {
  const bodies = arg("--bodies", 100_000);
  const seed = arg("--seed", Date.now() % 1_000_000);
  const node = await startHardhatNode();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-fuzz-"));
  const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
  try {
    const d = await deployOn(node.url);
    const config = {
      ...loadConfig({
        RATE_LIMIT_RPS: "1000000",
        // No batch is sealed (by time or by size), so nothing anchors: the backlog and the block number
        // move only with what the bodies do.
        BATCH_INTERVAL_MS: "86400000",
        BATCH_MAX: "10000000",
        WORKERS: "1",
      }),
      port: 0,
      host: "127.0.0.1",
      rpcUrl: node.url,
      dataDir: dir,
      registryAddress: d.registry,
      anchorAddress: d.anchor,
      deploymentBlock: d.blockNumber,
    };
    const svc = await startService(config, { logger: pino({ level: "silent" }) });
    try {
      const templates = await fuzzTemplates(svc.url, d);
      console.log(`fuzzing ${bodies} bodies, seed ${seed}`);
      const target = {
        url: svc.url,
        backlogSize: () => svc.deps.backlog.size(),
        blockNumber: () => provider.getBlockNumber(),
      };
      const stats = await runFuzz(target, templates, bodies, seed);
      const alive = await fetch(`${svc.url}/v1/info`);
      if (alive.status !== 200) throw new Error(`the service no longer answers: ${alive.status}`);
      const rate = Math.round((stats.bodies / stats.ms) * 1000);
      console.log(JSON.stringify({ seed, seconds: stats.ms / 1000, bodiesPerSecond: rate, ...stats }, null, 2));
    } finally {
      await svc.close();
    }
  } finally {
    provider.destroy();
    await node.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  // fast-check keeps the broken rule (our check's message) as the cause; the counterexample can be huge.
  const cause = (err as Error).cause as Error | undefined;
  console.error(`fuzz failed: ${(cause?.stack ?? String(cause)).slice(0, 4000)}`);
  console.error((err as Error).message.slice(0, 2000));
  process.exit(1);
});
