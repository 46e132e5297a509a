import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const ENTRY = "ingestWorker";
const ROOT = path.resolve(__dirname, "..", "..");
const RELATIVE_REQUIRE = /require\("(\.{1,2}\/[^"]+)"\)/g;

/**
 * The JavaScript file a worker thread runs. Compiled deployments have `ingestWorker.js` beside this file.
 * From TypeScript sources (ts-node), the worker's few modules are transpiled once, with the TypeScript
 * compiler the main thread already loaded, into `node_modules/.cache/repayproof-worker/<hash>/` — so each
 * worker loads plain JavaScript instead of its own copy of ts-node and the compiler (~100 MB per worker).
 */
export function workerScript(): string {
  const compiled = path.join(__dirname, `${ENTRY}.js`);
  if (fs.existsSync(compiled)) return compiled;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require("typescript") as typeof import("typescript");
  const sources = new Map<string, string>(); // repo-relative .ts path → JS
  const visit = (file: string): void => {
    const rel = path.relative(ROOT, file);
    if (sources.has(rel)) return;
    const out = ts.transpileModule(fs.readFileSync(file, "utf8"), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: file,
    }).outputText;
    sources.set(rel, out);
    for (const m of out.matchAll(RELATIVE_REQUIRE)) {
      const base = path.resolve(path.dirname(file), m[1] as string);
      const target = [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(f));
      if (target) visit(target);
    }
  };
  visit(path.join(__dirname, `${ENTRY}.ts`));
  const hash = crypto.createHash("sha256");
  for (const [rel, js] of [...sources].sort()) hash.update(rel).update(js);
  // Under node_modules so that the transpiled files resolve packages from the project's node_modules.
  const dir = path.join(ROOT, "node_modules", ".cache", "repayproof-worker", hash.digest("hex").slice(0, 16));
  const entry = path.join(dir, path.relative(ROOT, path.join(__dirname, `${ENTRY}.js`)));
  if (!fs.existsSync(entry)) {
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    for (const [rel, js] of sources) {
      const f = path.join(tmp, rel.replace(/\.ts$/, ".js"));
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, js);
    }
    try {
      fs.renameSync(tmp, dir);
    } catch {
      fs.rmSync(tmp, { recursive: true, force: true }); // another process won the race: same content
    }
  }
  return entry;
}
