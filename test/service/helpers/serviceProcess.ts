// Kept only for test/verifier/serviceBundle.e2e.test.ts, which another branch restructures: the helpers live
// in test/helpers/ and scripts/devnet/. Delete this file once that test imports them from there.
import { startServiceProcess, type ServiceProcess } from "../../../scripts/devnet";

export type { ServiceProcess };

/** The built service as a child process, once it listens (scripts/devnet/serviceProcess.ts). */
export function spawnService(
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
  execArgv: string[] = [],
): Promise<ServiceProcess> {
  return startServiceProcess(env, { timeoutMs, execArgv });
}
