import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../../service/config";

const ROOT = projectRoot();

/** What the package lock says is installed for development only. */
export interface DevOnly {
  /** Package names every installed copy of which is a dev one (`typescript`, `ts-node`, `hardhat`, …). */
  names: string[];
  /** The folders of every dev-only copy (absolute, with a trailing separator). */
  dirs: string[];
}

/**
 * Packages an install without dev dependencies (`npm ci --omit=dev`) would not have: the lock's entries
 * marked `dev` — the root package.json's devDependencies that are not also dependencies (direct or of a
 * dependency, the verifier workspace included), and everything only they need.
 */
export function devOnlyPackages(): DevOnly {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const dev = new Set<string>();
  const prod = new Set<string>();
  const dirs: string[] = [];
  for (const [key, entry] of Object.entries(lock.packages)) {
    const at = key.lastIndexOf("node_modules/");
    if (at < 0) continue;
    const name = key.slice(at + "node_modules/".length);
    if (entry.dev) {
      dev.add(name);
      dirs.push(path.join(ROOT, key) + path.sep);
    } else prod.add(name);
  }
  return { names: [...dev].filter((n) => !prod.has(n)).sort(), dirs };
}

/** One line of the hook's log: a thread it loaded in, or a require it refused. */
export type HookEvent =
  | { event: "loaded"; pid: number; threadId: number }
  | { event: "forbidden"; pid: number; threadId: number; request: string; from: string | null };

export interface NoDevDepsHook {
  /** The preload, for `--require` (NODE_OPTIONS carries it into every process and every worker thread). */
  file: string;
  nodeOptions: string;
  events(): HookEvent[];
}

/**
 * Writes into `dir` a preload that makes every dev-only package missing, as in an install without dev
 * dependencies: a require of one — by name before resolving, or by the resolved file's folder after —
 * throws MODULE_NOT_FOUND, so code that probes an optional package behaves as it would in production. Each
 * refusal is logged, with each thread the preload loads in: a caller that catches the error cannot hide it.
 */
export function writeNoDevDepsHook(dir: string): NoDevDepsHook {
  const { names, dirs } = devOnlyPackages();
  const file = path.join(dir, "no-dev-deps.cjs");
  const log = path.join(dir, "no-dev-deps.log");
  fs.writeFileSync(
    file,
    `"use strict";
const fs = require("node:fs");
const Module = require("node:module");
const { threadId } = require("node:worker_threads");
const NAMES = new Set(${JSON.stringify(names)});
const DIRS = ${JSON.stringify(dirs)};
const LOG = ${JSON.stringify(log)};
const note = (e) => fs.appendFileSync(LOG, JSON.stringify({ ...e, pid: process.pid, threadId }) + "\\n");
note({ event: "loaded" });
const packageOf = (request) => {
  if (Module.isBuiltin(request) || request.startsWith(".") || request.startsWith("/")) return undefined;
  const parts = request.split("/");
  return request.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
};
const forbid = (request, parent) => {
  note({ event: "forbidden", request, from: (parent && parent.filename) || null });
  const err = new Error("Cannot find module '" + request + "' (installed for development only: production has not got it)");
  err.code = "MODULE_NOT_FOUND";
  throw err;
};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const name = packageOf(request);
  if (name !== undefined && NAMES.has(name)) forbid(request, parent);
  const resolved = resolve.call(this, request, parent, ...rest);
  if (typeof resolved === "string" && DIRS.some((d) => resolved.startsWith(d))) forbid(request, parent);
  return resolved;
};
`,
  );
  return {
    file,
    nodeOptions: `--require ${file}`,
    events: () =>
      fs.existsSync(log)
        ? fs
            .readFileSync(log, "utf8")
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l) as HookEvent)
        : [],
  };
}
