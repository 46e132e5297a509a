import pino from "pino";
import { loadConfig, type Config } from "../../service/config";
import { startService, type RunningService } from "../../service/server";
import type { Deployment } from "../../scripts/lib/deployContracts";

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
