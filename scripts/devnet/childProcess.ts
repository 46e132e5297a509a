import { spawn, type ChildProcess } from "node:child_process";

/** How a child ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Its own process group: stopping it stops whatever it started (npm, a shell, the node) and nothing else. */
  group?: boolean;
  /** Characters of output kept (the latest); the rest is read and dropped, so the pipes never fill. */
  keepOutput?: number;
  /** Copies each chunk of its stderr to this process's stderr behind this prefix. */
  echoStderr?: string;
}

/** A child process whose output is always drained, and which can be waited on and stopped. */
export interface RunningChild {
  readonly child: ChildProcess;
  readonly pid: number;
  /** What it wrote, stdout and stderr interleaved (the latest `keepOutput` characters). */
  output(): string;
  /** What it wrote to stdout alone (the latest `keepOutput` characters). */
  stdout(): string;
  /** Resolves with the first match of `pattern` in its output; rejects if it exits first or `timeoutMs` passes. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** Resolves once it has exited. */
  readonly exited: Promise<Exit>;
  /**
   * Sends `signal` (to its whole group when it has one), SIGKILL after `graceMs`, and resolves once it has
   * exited — and, for a group, once every process of the group is gone.
   */
  kill(signal?: NodeJS.Signals, graceMs?: number): Promise<Exit>;
}

const KEEP_OUTPUT = 1 << 20;

/** Thrown when a child exits before it printed what was awaited, or too late: carries how and what it wrote. */
export class ChildExitedError extends Error {
  override readonly name = "ChildExitedError";
  constructor(
    message: string,
    readonly code: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly output: string,
  ) {
    super(`${message}\n${output.slice(-4000)}`);
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Spawns `command args` with its output piped and always read (so a chatty child never blocks on a full pipe). */
export function spawnChild(command: string, args: readonly string[], opts: ChildOptions = {}): RunningChild {
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env,
    detached: opts.group ?? false,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  const keep = opts.keepOutput ?? KEEP_OUTPUT;
  let out = "";
  let stdout = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    out += chunk.toString();
    if (out.length > keep) out = out.slice(-keep);
    for (const l of listeners) l();
  };
  child.stdout?.on("data", onData);
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.length > keep) stdout = stdout.slice(-keep);
  });
  child.stderr?.on("data", onData);
  if (opts.echoStderr !== undefined) {
    const prefix = opts.echoStderr;
    child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(`${prefix}${chunk.toString()}`));
  }
  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) =>
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      for (const l of listeners) l();
      resolve(exit);
    }),
  );

  const waitForOutput = (pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const m = pattern.exec(out);
        if (m) done(() => resolve(m));
        else if (exit)
          done(() =>
            reject(
              new ChildExitedError(
                `${command} exited (${exit?.code ?? exit?.signal}) before printing ${pattern}`,
                exit?.code ?? null,
                exit?.signal ?? null,
                out,
              ),
            ),
          );
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(new ChildExitedError(`${command} did not print ${pattern} within ${timeoutMs} ms`, null, null, out)),
          ),
        timeoutMs,
      );
      const done = (settle: () => void): void => {
        clearTimeout(timer);
        listeners.delete(check);
        settle();
      };
      listeners.add(check);
      check();
    });

  const kill = async (signal: NodeJS.Signals = "SIGTERM", graceMs = 10_000): Promise<Exit> => {
    const send = (s: NodeJS.Signals): void => {
      try {
        if (opts.group) process.kill(-pid, s);
        else child.kill(s);
      } catch {
        // already gone
      }
    };
    // A group is signalled while any of it lives: its leader may be gone and what it started not.
    if (opts.group ? groupAlive(pid) : !exit) send(signal);
    const force = setTimeout(() => send("SIGKILL"), graceMs);
    const result = await exited;
    // The group leader may exit before what it started (npm before the node it runs): wait for all of them.
    const deadline = Date.now() + graceMs;
    while (opts.group && groupAlive(pid)) {
      if (Date.now() > deadline) send("SIGKILL");
      await new Promise((r) => setTimeout(r, 50));
    }
    clearTimeout(force);
    return result;
  };

  return { child, pid, output: () => out, stdout: () => stdout, waitForOutput, exited, kill };
}

/** A child that ran to its end: how it ended, and what it wrote. */
export type Finished = Exit & { output: string; stdout: string };

/** Runs `command args` to its end (SIGKILL after `timeoutMs`) and returns how it ended and what it wrote. */
export async function runChild(
  command: string,
  args: readonly string[],
  opts: ChildOptions & { timeoutMs?: number } = {},
): Promise<Finished> {
  const c = spawnChild(command, args, opts);
  // 'close' comes after 'exit' once its output is read to the end.
  const closed = new Promise((resolve) => c.child.once("close", resolve));
  const timer = setTimeout(() => void c.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
  const exit = await c.exited;
  await closed;
  clearTimeout(timer);
  return { ...exit, output: c.output(), stdout: c.stdout() };
}
