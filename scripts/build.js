#!/usr/bin/env node
"use strict";
/**
 * `npm run build`: compiles the contracts (Hardhat, solc-js from node_modules), the TypeScript of the
 * verifier package, the service and the scripts (`tsc -b`) into JavaScript, and the web app into one page
 * (web/dist/repayproof.html, scripts/buildWeb.js), then stamps `dist/` so the
 * start commands can tell a stale build (scripts/run.js). Plain JavaScript: it runs before anything is built.
 */
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const STAMP = path.join(ROOT, "dist", ".buildstamp");

function run(bin, args) {
  const r = spawnSync(path.join(ROOT, "node_modules", ".bin", bin), args, { cwd: ROOT, stdio: "inherit" });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${bin} ${args.join(" ")} failed (exit ${r.status ?? r.signal})`);
}

/** Builds everything; throws when a step fails (its own output says why). */
async function build() {
  run("hardhat", ["compile", "--quiet"]);
  run("tsc", ["-b", "tsconfig.build.json"]);
  await require("./buildWeb").buildWeb();
  fs.mkdirSync(path.dirname(STAMP), { recursive: true });
  fs.writeFileSync(STAMP, new Date().toISOString() + "\n");
}

module.exports = { build, STAMP, ROOT };

if (require.main === module) {
  build().catch((e) => {
    process.stderr.write(`build failed: ${e.message}\n`);
    process.exitCode = 1;
  });
}
