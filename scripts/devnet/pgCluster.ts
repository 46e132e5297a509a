import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "./freePort";

/** A throwaway PostgreSQL server on loopback (initdb + pg_ctl in a temp directory), for tests and benchmarks. */
export interface PgCluster {
  port: number;
  /** A postgres:// URL of database `name` (created by {@link PgCluster.createDatabase}). */
  url(name: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server at once (`-m immediate`: like a crash) or cleanly. */
  stop(mode?: "immediate" | "fast"): void;
  /** Starts it again on the same port and data directory. */
  start(): void;
  /** Bytes under the data directory (the disk the cluster uses). */
  diskBytes(): number;
  /** Stops the server and removes its directory. */
  remove(): void;
}

/** Debian's PostgreSQL binaries (PG_BIN, else the newest /usr/lib/postgresql/<n>/bin), or undefined. */
export function findPgBin(): string | undefined {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = "/usr/lib/postgresql";
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && fs.existsSync(path.join(root, v, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : path.join(root, versions[0], "bin");
}

const isRoot = (): boolean => typeof process.getuid === "function" && process.getuid() === 0;

function duBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += duBytes(p);
    else if (e.isFile()) total += fs.statSync(p).size;
  }
  return total;
}

/**
 * Starts a cluster, or returns why it cannot (no binaries, no `postgres` user to run as when we are root —
 * the server refuses to run as root). Trust authentication on loopback only; `fsync` stays on, so a
 * benchmark measures real commits.
 */
export async function startPgCluster(): Promise<PgCluster | string> {
  const bin = findPgBin();
  if (!bin) return "no PostgreSQL server binaries (install Debian's postgresql, or set PG_BIN)";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-pg-"));
  const data = path.join(dir, "data");
  const run = (exe: string, args: string[]): { ok: boolean; out: string } => {
    const argv = isRoot()
      ? ["runuser", "-u", "postgres", "--", path.join(bin, exe), ...args]
      : [path.join(bin, exe), ...args];
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 120_000 });
    return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error?.message ?? ""}`.trim() };
  };
  if (isRoot()) {
    const chown = spawnSync("chown", ["postgres:", dir]);
    if (chown.status !== 0) {
      fs.rmSync(dir, { recursive: true, force: true });
      return "running as root and there is no postgres user to run the server as";
    }
  }
  const init = run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"]);
  if (!init.ok) {
    fs.rmSync(dir, { recursive: true, force: true });
    return `initdb failed: ${init.out.split("\n").slice(-1)[0]}`;
  }
  const port = await freePort();
  const opts = `-k ${dir} -p ${port} -c listen_addresses=127.0.0.1 -c max_connections=200`;
  let running = false;
  const start = (): void => {
    const r = run("pg_ctl", ["-D", data, "-o", opts, "-l", path.join(dir, "server.log"), "-w", "-t", "60", "start"]);
    if (!r.ok) throw new Error(`pg_ctl start failed: ${r.out}`);
    running = true;
  };
  const stop = (mode: "immediate" | "fast" = "fast"): void => {
    if (!running) return;
    run("pg_ctl", ["-D", data, "-m", mode, "-w", "-t", "60", "stop"]);
    running = false;
  };
  try {
    start();
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    return (e as Error).message.split("\n")[0]!;
  }
  const url = (name: string): string => `postgres://postgres:pw@127.0.0.1:${port}/${name}`;
  return {
    port,
    url,
    async createDatabase(name) {
      const admin = new pg.Client({ connectionString: url("postgres") });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    stop,
    start,
    diskBytes: () => duBytes(data),
    remove() {
      stop("immediate");
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
