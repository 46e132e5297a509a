/**
 * The benchmarks start the node and the service with scripts/devnet, the helpers the tests use too. This
 * module only keeps serviceSuites.ts's import working (another branch is editing that file): it should import
 * ../devnet itself, and then this file goes.
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
