/**
 * How the benchmarks start the service: scripts/devnet's helpers (the tests use them too), with the service's
 * stderr echoed, and the one environment every service suite starts it with ({@link benchServiceEnv}).
 */
import type { ChildProcess } from "node:child_process";
import { startServiceProcess as startService } from "../devnet";

export { freePort, startHardhatNode } from "../devnet";

/** A started node or service: where it answers, and how to stop it. */
export interface Child {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<unknown>;
}

/** The built service with `env`, once it listens; its stderr is echoed behind `[service] `. */
export function startServiceProcess(env: NodeJS.ProcessEnv): Promise<Child> {
  return startService(env, { echoStderr: "[service] " });
}

/**
 * The service's environment in the benchmarks: against `rpcUrl` and the deployment `d`, listening on a free
 * loopback port, one confirmation, no rate limit in the way of the load, warnings only; `over` added last.
 */
export function benchServiceEnv(
  rpcUrl: string,
  d: { registry: string; anchor: string; blockNumber: number },
  over: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORT: "0",
    HOST: "127.0.0.1",
    RPC_URL: rpcUrl,
    REGISTRY_ADDRESS: d.registry,
    ANCHOR_ADDRESS: d.anchor,
    DEPLOYMENT_BLOCK: String(d.blockNumber),
    CONFIRMATIONS: "1",
    RATE_LIMIT_RPS: "1000000",
    LOG_LEVEL: "warn",
    ...over,
  };
}
