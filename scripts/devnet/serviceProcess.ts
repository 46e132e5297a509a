import path from "node:path";
import type { ChildProcess } from "node:child_process";
import { projectRoot } from "../../service/config";
import { spawnChild, type Exit } from "./childProcess";

const ROOT = projectRoot();

/** The line `scripts/service.ts` prints once it listens (PORT=0 picks the port: this says which). */
const LISTENING = /\{"msg":"listening","url":"([^"]+)"\}/;

/**
 * How `npm run service` and `npm start` run the service (package.json): a small young generation and at most
 * two malloc arenas keep the resident set near what the service holds (V8 grows the young heap with load and
 * glibc gives every worker thread an arena otherwise). The same settings here, so tests and benchmarks
 * measure what runs.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4"];
export const SERVICE_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "2" };

export interface ServiceProcessOptions {
  /** Node flags before the script (default {@link SERVICE_NODE_FLAGS}). */
  execArgv?: readonly string[];
  /** How long to wait for the listening line (ms). */
  timeoutMs?: number;
  /** Copies the service's stderr to ours behind this prefix (the benchmarks do). */
  echoStderr?: string;
}

/** The built service (`node dist/scripts/service.js`, what `npm run service` runs) as a child process. */
export interface ServiceProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it wrote, stdout and stderr interleaved (the latest MiB). */
  output(): string;
  /** Sends `signal` (SIGTERM by default; SIGKILL after 10 s) and resolves once it has exited. */
  kill(signal?: NodeJS.Signals): Promise<Exit>;
  /** kill("SIGTERM"): the service closes cleanly. */
  stop(): Promise<Exit>;
  readonly exited: Promise<Exit>;
}

/**
 * Starts the compiled service with `env` — one process, no launcher in between, so a signal reaches the
 * service itself — and resolves once it prints its URL. Its output is drained for as long as it runs. If it
 * exits first (or is not listening within the timeout), rejects with a {@link ChildExitedError} carrying its
 * exit code and output.
 */
export async function startServiceProcess(
  env: NodeJS.ProcessEnv,
  opts: ServiceProcessOptions = {},
): Promise<ServiceProcess> {
  const svc = spawnChild(
    process.execPath,
    [...(opts.execArgv ?? SERVICE_NODE_FLAGS), path.join(ROOT, "dist", "scripts", "service.js")],
    {
      cwd: ROOT,
      env: { ...SERVICE_ENV, ...env },
      ...(opts.echoStderr === undefined ? {} : { echoStderr: opts.echoStderr }),
    },
  );
  try {
    const m = await svc.waitForOutput(LISTENING, opts.timeoutMs ?? 120_000);
    return {
      url: m[1] as string,
      child: svc.child,
      output: svc.output,
      kill: (signal) => svc.kill(signal),
      stop: () => svc.kill("SIGTERM"),
      exited: svc.exited,
    };
  } catch (e) {
    await svc.kill("SIGKILL");
    throw e;
  }
}
