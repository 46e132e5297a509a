#!/usr/bin/env node
"use strict";
/**
 * `npm run lint:openapi`: writes the service's OpenAPI document (built: dist/service/openapi) to a temporary
 * file and lints it with Redocly CLI (`redocly.yaml`: the recommended rules). Offline: telemetry and the update
 * check are off, and a run that takes longer than LINT_TIMEOUT_MS is killed and fails rather than hangs.
 * Plain JavaScript, like build.js: it runs what was built.
 */
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const LINT_TIMEOUT_MS = 120_000;

function main() {
  const { openApiDocument } = require(path.join(ROOT, "dist", "service", "openapi", "openApiDocument.js"));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-openapi-"));
  const file = path.join(dir, "openapi.json");
  try {
    fs.writeFileSync(file, JSON.stringify(openApiDocument(), null, 2) + "\n");
    const r = spawnSync(
      path.join(ROOT, "node_modules", ".bin", "redocly"),
      ["lint", file, "--config", path.join(ROOT, "redocly.yaml"), "--format", "stylish"],
      {
        cwd: ROOT,
        stdio: "inherit",
        timeout: LINT_TIMEOUT_MS,
        env: {
          ...process.env,
          REDOCLY_TELEMETRY: "off",
          REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
          NO_UPDATE_NOTIFIER: "1",
        },
      },
    );
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`redocly lint failed (exit ${r.status ?? r.signal})`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  process.stderr.write(`lint:openapi: ${e.message}\n`);
  process.exitCode = 1;
}
