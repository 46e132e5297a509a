import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { stopChild } from "./hardhatNode";

const ROOT = path.resolve(__dirname, "..", "..", "..");

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote (stdout + stderr). */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Runs `scripts/service.ts` (what `npm run service` runs) as a child process with `env` and resolves once
 * it prints its URL; rejects with its output if it exits first.
 */
export function spawnService(
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
  execArgv: string[] = [],
): Promise<ServiceProcess> {
  const child = spawn(
    process.execPath,
    // One process (no launcher in between), so a SIGKILL kills the service itself.
    [...execArgv, "dist/scripts/service.js"],
    {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`service did not start in time:\n${out}`));
    }, timeoutMs);
    const onData = (b: Buffer): void => {
      out += b.toString();
      const m = /\{"msg":"listening","url":"([^"]+)"\}/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1] as string, child, output: () => out, kill: (s) => stopChild(child, s) });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(
        Object.assign(new Error(`service exited (${code ?? signal}) before listening:\n${out}`), { code, output: out }),
      );
    });
  });
}

/** Waits for a child to exit and returns its exit code (for services that must refuse to start). */
export function exitCodeOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}
