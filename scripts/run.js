#!/usr/bin/env node
"use strict";
/**
 * `node scripts/run.js <script> [args…]` runs the compiled `dist/scripts/<script>.js` (what `npm start`,
 * `npm run service`, `npm run demo` and `npm run bench` call). It builds first when `dist/` is missing or
 * older than a source file, so a fresh clone needs no other step; the TypeScript compiler runs in its own
 * process and is never loaded into the running program. Without the dev dependencies (an install with
 * `--omit=dev`) nothing can be built: a missing build is an error, a stale one a warning.
 * `--build-only` builds if needed and runs nothing.
 */
const fs = require("node:fs");
const path = require("node:path");
const { build, STAMP, ROOT } = require("./build");

const SOURCES = ["service", "scripts", "verifier/src", "contracts", "web/src"];
const FILES = [
  "package.json",
  "hardhat.config.ts",
  "tsconfig.base.json",
  "tsconfig.build.json",
  "verifier/tsconfig.json",
];
const SOURCE_FILE = /\.(ts|js|sol)$/;

/** The newest modification time (ms) of any source of the build. */
function newestSource() {
  let newest = 0;
  const visit = (p) => {
    let st;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p)) visit(path.join(p, e));
    } else if (SOURCE_FILE.test(p) || FILES.includes(path.relative(ROOT, p))) {
      newest = Math.max(newest, st.mtimeMs);
    }
  };
  for (const s of [...SOURCES, ...FILES]) visit(path.join(ROOT, s));
  return newest;
}

function canBuild() {
  try {
    require.resolve("typescript", { paths: [ROOT] });
    require.resolve("hardhat", { paths: [ROOT] });
    return true;
  } catch {
    return false;
  }
}

/** Builds when the stamp is missing or older than a source; returns false when a needed build is impossible. */
async function ensureBuilt() {
  const stamp = fs.existsSync(STAMP) ? fs.statSync(STAMP).mtimeMs : 0;
  if (stamp > 0 && newestSource() <= stamp) return true;
  if (!canBuild()) {
    if (stamp > 0) {
      process.stderr.write("warning: sources changed since the last build, and no compiler is installed to rebuild\n");
      return true;
    }
    process.stderr.write("no build in dist/ and no compiler installed: run `npm ci` then `npm run build`\n");
    return false;
  }
  process.stderr.write(stamp === 0 ? "Building (first run)…\n" : "Sources changed: rebuilding…\n");
  await build();
  return true;
}

async function main() {
  const [script, ...rest] = process.argv.slice(2);
  if (script === undefined) {
    process.stderr.write("usage: node scripts/run.js <script> [args…] | --build-only\n");
    process.exitCode = 2;
    return;
  }
  try {
    if (!(await ensureBuilt())) {
      process.exitCode = 1;
      return;
    }
  } catch (e) {
    process.stderr.write(`build failed: ${e.message}\n`);
    process.exitCode = 1;
    return;
  }
  if (script === "--build-only") return;
  const file = path.join(ROOT, "dist", "scripts", `${script}.js`);
  if (!fs.existsSync(file)) {
    process.stderr.write(`no such script: ${path.relative(ROOT, file)}\n`);
    process.exitCode = 2;
    return;
  }
  // The script sees its own arguments where it expects them: process.argv.slice(2).
  process.argv.splice(2, process.argv.length - 2, ...rest);
  require(file);
}

void main();
