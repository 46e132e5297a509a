import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { benchmarksDoc } from "./benchmarksDoc";
import { gasSuite } from "./gasSuite";
import { keccakSuite } from "./keccakSuite";
import { merkleSuite } from "./merkleSuite";
import { secpSuite } from "./secpSuite";
import { serviceSuites } from "./serviceSuites";
import type { Figure } from "./measure";
import { proofSuite, receiptSuite } from "./verifySuites";
import { log, type BenchOptions } from "./options";
import { textTable, type Row } from "./report";

/**
 * `npm run bench [-- --quick] [-- --only merkle,gas] [-- --out file.md]`: runs the suites, prints one
 * table, writes docs/benchmarks.md (a quick run writes to a temp file instead, so that a smoke run never
 * overwrites the full results).
 */
const SUITES = ["keccak", "secp", "merkle", "proof", "receipt", "gas", "service"] as const;
type Suite = (typeof SUITES)[number];

function parseArgs(argv: readonly string[]): {
  opts: BenchOptions;
  only: Set<Suite>;
  out: string;
} {
  const quick = argv.includes("--quick");
  let only = new Set<Suite>(SUITES);
  let out = quick
    ? path.join(os.tmpdir(), `repayproof-benchmarks-quick-${process.pid}.md`)
    : path.resolve(__dirname, "..", "..", "docs", "benchmarks.md");
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--only") {
      const names = (argv[++i] ?? "").split(",").filter(Boolean);
      for (const n of names)
        if (!(SUITES as readonly string[]).includes(n)) throw new Error(`unknown suite ${n}: ${SUITES.join(", ")}`);
      only = new Set(names as Suite[]);
    } else if (a === "--out") {
      out = path.resolve(argv[++i] ?? out);
    } else if (a !== "--quick") {
      throw new Error(`unknown argument ${a}: use --quick, --only <${SUITES.join(",")}>, --out <file>`);
    }
  }
  return {
    opts: { quick, runs: 3, rateSeconds: quick ? 0.1 : 0.5 },
    only,
    out,
  };
}

async function main(): Promise<void> {
  const started = new Date();
  const { opts, only, out } = parseArgs(process.argv.slice(2));
  const rows: Row[] = [];
  const notes: string[] = [];
  let rawRecovery: Figure | undefined;
  log(`${opts.quick ? "quick" : "full"} run of ${[...only].join(", ")}`);
  if (only.has("keccak") || only.has("merkle")) {
    const keccak = await keccakSuite(opts);
    if (only.has("keccak")) rows.push(...keccak.rows);
    if (only.has("merkle")) rows.push(...(await merkleSuite(opts, keccak.fastest.perSecond, keccak.fastest.name)));
  }
  if (only.has("secp") || only.has("service")) {
    const secp = await secpSuite(opts);
    rawRecovery = secp.allCores;
    if (only.has("secp")) rows.push(...secp.rows);
  }
  if (only.has("proof")) rows.push(...(await proofSuite(opts)));
  if (only.has("receipt")) rows.push(...(await receiptSuite(opts)));
  if (only.has("gas")) rows.push(...(await gasSuite(opts)));
  if (only.has("service")) rows.push(...(await serviceSuites(opts, rawRecovery)));
  const table = textTable(rows);
  process.stdout.write(table + "\n");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, benchmarksDoc(rows, opts, started, notes));
  log(`wrote ${out} in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
}

main().catch((e: unknown) => {
  process.stderr.write(`[bench] failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
