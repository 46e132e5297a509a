import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { cryptoBackends, keccakReady } from "@repayproof/verifier";
import { projectRoot } from "../../service/config";
import { benchmarksDoc } from "./benchmarksDoc";
import { browserSuite } from "./browserSuite";
import { clientSuite } from "./clientSuite";
import { gasSuite } from "./gasSuite";
import { keccakSuite } from "./keccakSuite";
import { merkleSuite } from "./merkleSuite";
import { secpSuite } from "./secpSuite";
import { serviceSuites } from "./serviceSuites";
import { smtSuite } from "./smtSuite";
import { pgSuite } from "./pgSuite";
import { statsSuite } from "./statsSuite";
import { proofSuite, receiptSuite } from "./verifySuites";
import { log, type BenchOptions } from "./options";
import { textTable, type Row } from "./report";

/**
 * `npm run bench [-- --quick] [-- --only merkle,gas] [-- --out file.md]`: runs the suites, prints one
 * table, writes docs/benchmarks.md (a quick run writes to a temp file instead, so that a smoke run never
 * overwrites the full results).
 */
const SUITES = [
  "keccak",
  "secp",
  "merkle",
  "proof",
  "receipt",
  "gas",
  "service",
  "stats",
  "smt",
  "pg",
  "browser",
  "client",
] as const;
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
    : path.join(projectRoot(), "docs", "benchmarks.md");
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

/** What every report says about how the figures were made. */
const NOTES = [
  "Dependencies chosen for speed: keccak-256 in the merkle tree is hash-wasm's WebAssembly keccak called directly, one call per hash on its I/O buffer (verifier/src/crypto/keccakBuffer.ts); other keccaks and signatures run on the verifier's crypto backends (verifier/src/crypto/cryptoBackends.ts): pure JavaScript by default (js-sha3, @noble/curves), replaced by hash-wasm's WebAssembly keccak once it has loaded and by libsecp256k1 when the optional native `secp256k1` package loads. ethers appears only as a reference and for EIP-712 domain hashing.",
  "The keccak bound of the merkle rows is (3n − 1) hashes (2n for the leaves, n − 1 for the inner nodes) at the fastest keccak-256 of 64 bytes, measured with the entry point the tree hashes with and again right after each run (so each run has its own bound). Each run of ours times three phases: `buildTree`, `check()` (every inner node hashed again from its children, n − 1 hashes: how every proof is checked before its root is anchored; without it, `proof()` hashes its own path instead, and all n proofs cost the same n − 1 hashes) and `proof()` of every digest. The goal is judged on build + all proofs without the check, because the bound counts the hashes a tree needs and the check is, by design, a second computation of n − 1 of them; the row with the check is shown beside it and can never go under (4n − 2)/(3n − 1) ≈ 1.33× the bound.",
  "The machine is shared (other engineers build and test on the same 2 cores while this runs), so absolute figures are noisy; each ratio is taken run by run between measurements made back to back, which cancels most of it.",
];

/** `text` as Prettier would write `file` (the lint step checks docs/ too); unchanged if Prettier is absent. */
async function formatted(file: string, text: string): Promise<string> {
  try {
    const prettier = await import("prettier");
    return await prettier.format(text, { ...((await prettier.resolveConfig(file)) ?? {}), filepath: file });
  } catch {
    return text;
  }
}

async function main(): Promise<void> {
  const started = new Date();
  const { opts, only, out } = parseArgs(process.argv.slice(2));
  const rows: Row[] = [];
  const notes: string[] = [];
  let failed = false;
  /** Runs one suite; a failure becomes a "not measured" row (and a failing exit) instead of ending the run. */
  const run = async (name: string, suite: () => Promise<Row[]>): Promise<void> => {
    try {
      rows.push(...(await suite()));
    } catch (e) {
      failed = true;
      const message = e instanceof Error ? e.message.split("\n")[0] : String(e);
      log(`${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      rows.push({
        suite: name,
        size: "—",
        ours: { label: "—" },
        reference: { label: "—" },
        notMeasured: `the suite failed: ${message}`,
      });
    }
  };
  await keccakReady();
  log(`${opts.quick ? "quick" : "full"} run of ${[...only].join(", ")}`);
  if (only.has("keccak") || only.has("merkle")) {
    await run("keccak + merkle", async () => {
      const keccak = await keccakSuite(opts);
      const out: Row[] = only.has("keccak") ? [...keccak.rows] : [];
      if (only.has("merkle")) out.push(...(await merkleSuite(opts, keccak.fastest)));
      return out;
    });
  }
  if (only.has("secp")) await run("secp256k1", async () => (await secpSuite(opts)).rows);
  if (only.has("proof")) await run("proof verification", () => proofSuite(opts));
  if (only.has("receipt")) await run("receipt verification", () => receiptSuite(opts));
  if (only.has("gas")) await run("gas", () => gasSuite(opts));
  if (only.has("service")) await run("service", () => serviceSuites(opts));
  if (only.has("stats")) await run("stats", () => statsSuite(opts));
  if (only.has("smt")) await run("loan state tree", () => smtSuite(opts));
  if (only.has("pg")) await run("postgres", () => pgSuite(opts));
  if (only.has("browser")) await run("browser", () => browserSuite(opts));
  if (only.has("client")) await run("client", () => clientSuite(opts));
  notes.push(...NOTES);
  const backends = cryptoBackends();
  notes.push(`Crypto backends in this run: secp256k1 on ${backends.secp256k1}, keccak-256 on ${backends.keccak}.`);
  const table = textTable(rows);
  process.stdout.write(table + "\n");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, await formatted(out, benchmarksDoc(rows, opts, started, notes)));
  log(`wrote ${out} in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
  if (failed) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`[bench] failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
