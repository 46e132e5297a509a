import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { loadConfig, type Config } from "../../../service/config";
import { startService, type RunningService } from "../../../service/server";
import type { Deployment } from "../../../scripts/lib/deployContracts";

/** A temp directory removed by the returned cleanup. */
export function tempDir(prefix = "repayproof-test-"): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A service configuration for tests: port 0, the given chain and data dir, quiet logs. */
export function testConfig(rpcUrl: string, d: Deployment, dataDir: string, over: Partial<Config> = {}): Config {
  return {
    ...loadConfig({}),
    port: 0,
    host: "127.0.0.1",
    rpcUrl,
    dataDir,
    registryAddress: d.registry,
    anchorAddress: d.anchor,
    deploymentBlock: d.blockNumber,
    workers: 1,
    pollMs: 100,
    logLevel: "silent",
    ...over,
  };
}

/** Starts the service in this process (for route tests); logs are silent. */
export function startInProcess(config: Config): Promise<RunningService> {
  return startService(config, { logger: pino({ level: "silent" }), rpcWaitMs: 5_000 });
}

/** Env for a service child process (scripts/service.ts) with the given settings. */
export function serviceEnv(
  rpcUrl: string,
  d: Deployment,
  dataDir: string,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: "0",
    HOST: "127.0.0.1",
    RPC_URL: rpcUrl,
    DATA_DIR: dataDir,
    REGISTRY_ADDRESS: d.registry,
    ANCHOR_ADDRESS: d.anchor,
    DEPLOYMENT_BLOCK: String(d.blockNumber),
    LOG_LEVEL: "warn",
    POLL_MS: "100",
    ...extra,
  };
}
