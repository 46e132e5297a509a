import fs from "node:fs";
import path from "node:path";
import { FetchRequest, JsonRpcProvider, Network } from "ethers";
import { parseBundle } from "../formats/bundle";
import { type VerifyResult } from "../checks/types";
import { formatBundle, formatProgress, formatResultLine, formatTimelineResult } from "./format";
import { isAddress } from "../formats/hex";
import { createVerifierCache, verifyReceiptBundle } from "../verifyReceiptBundle";
import { verifyTimelineBundle } from "../verifyTimelineBundle";
import { malformedResult } from "../verifyOffline";

/**
 * `repayproof verify <file|dir>… --rpc <url> [--confirmations N] [--json] [--anchor A] [--registry R]`,
 * `repayproof verify-timeline <timeline.json> --rpc <url> [same options]` and `repayproof inspect <file>`.
 * Only argument parsing, file reading and printing: every judgement is the library's (verifyReceiptBundle,
 * verifyTimelineBundle). Exit codes: 0 all valid, 1 something invalid, 2 usage or I/O error (unreadable
 * file, unreachable RPC, a check that could not run).
 */

export const USAGE = `usage:
  repayproof verify <file|dir>... --rpc <url> [--confirmations N] [--json] [--anchor <address>] [--registry <address>]
  repayproof verify-timeline <timeline.json> --rpc <url> [--confirmations N] [--json] [--anchor <address>] [--registry <address>]
  repayproof inspect <file>

verify   checks receipt proof bundles against the chain (no call to the RepayProof service);
         a directory means every *.json file in it. --anchor/--registry: the deployment you trust.
verify-timeline  re-verifies a loan's timeline (GET /v1/loans/:loanId/timeline) from the chain alone: every
         event, the registry's terms, and the evaluation recomputed; prints any difference from the service's.
inspect  prints a bundle for humans.
exit     0 all valid, 1 something invalid, 2 usage or I/O error`;

export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Overwrites the current stderr line (progress); absent when stderr is not a terminal. */
  progress?(line: string): void;
}

const processIo: Io = {
  out: (l) => process.stdout.write(l + "\n"),
  err: (l) => process.stderr.write(l + "\n"),
  ...(process.stderr.isTTY ? { progress: (l: string) => process.stderr.write(`\r${l}\x1b[K`) } : {}),
};

class UsageError extends Error {}

interface VerifyArgs {
  paths: string[];
  rpc: string;
  confirmations: number;
  json: boolean;
  anchor?: string;
  registry?: string;
}

function parseVerifyArgs(args: string[]): VerifyArgs {
  const paths: string[] = [];
  const flags: Record<string, string> = {};
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--json") json = true;
    else if (["--rpc", "--confirmations", "--anchor", "--registry"].includes(a)) {
      const v = args[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value`);
      flags[a.slice(2)] = v;
    } else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else paths.push(a);
  }
  if (paths.length === 0) throw new UsageError("verify needs at least one bundle file or directory");
  if (flags.rpc === undefined) throw new UsageError("verify needs --rpc <url>");
  const confirmations = flags.confirmations === undefined ? 1 : Number(flags.confirmations);
  if (!Number.isSafeInteger(confirmations) || confirmations < 1) {
    throw new UsageError("--confirmations must be a positive integer");
  }
  for (const k of ["anchor", "registry"] as const) {
    if (flags[k] !== undefined && !isAddress(flags[k])) throw new UsageError(`--${k} must be an address`);
  }
  return { paths, rpc: flags.rpc, confirmations, json, anchor: flags.anchor, registry: flags.registry };
}

/** Expands directories to their *.json files (sorted, recursively); throws on a path that cannot be read. */
function expand(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const st = fs.statSync(p);
    if (!st.isDirectory()) {
      out.push(p);
      continue;
    }
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const f = path.join(dir, e.name);
        if (e.isDirectory()) walk(f);
        else if (e.name.endsWith(".json")) out.push(f);
      }
    };
    walk(p);
  }
  return out;
}

/** Connects to the RPC once (eth_chainId with a timeout), so a dead URL is an I/O error, not an endless retry. */
async function connect(url: string): Promise<JsonRpcProvider> {
  const req = new FetchRequest(url);
  req.timeout = 10_000;
  req.body = { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] };
  req.setHeader("content-type", "application/json");
  const res = await req.send();
  res.assertOk();
  const result = (res.bodyJson as { result?: unknown }).result;
  if (typeof result !== "string") throw new Error("eth_chainId returned no chain id");
  return new JsonRpcProvider(url, Network.from(BigInt(result)), { staticNetwork: true });
}

type FileResult = { file: string; result?: VerifyResult; ioError?: string };

async function verifyCommand(args: string[], io: Io): Promise<number> {
  const a = parseVerifyArgs(args);
  let files: string[];
  try {
    files = expand(a.paths);
  } catch (e) {
    io.err(`repayproof: ${(e as Error).message}`);
    return 2;
  }
  let provider: JsonRpcProvider;
  try {
    provider = await connect(a.rpc);
  } catch (e) {
    io.err(`repayproof: cannot reach the RPC at ${a.rpc}: ${(e as Error).message.split("\n")[0]}`);
    return 2;
  }
  const cache = createVerifierCache();
  const contracts = { anchor: a.anchor, registry: a.registry };
  const results: FileResult[] = new Array(files.length);
  const showProgress = !a.json && files.length > 20 && io.progress !== undefined;
  let done = 0;
  let printed = 0;
  const verifyOne = async (file: string): Promise<FileResult> => {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      return { file, ioError: (e as Error).message };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      return { file, result: malformedResult(`not JSON: ${(e as Error).message}`) };
    }
    return {
      file,
      result: await verifyReceiptBundle(json, { provider, confirmations: a.confirmations, contracts, cache }),
    };
  };
  // Bundles in flight at once share JSON-RPC batches and hide latency; lines still come out in input order.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      results[i] = await verifyOne(files[i] as string);
      done++;
      while (!a.json && printed < files.length && results[printed] !== undefined) {
        const r = results[printed++] as FileResult;
        if (showProgress) io.progress!("");
        io.out(r.result ? formatResultLine(r.file, r.result) : `? error     ${r.file}  ${r.ioError}`);
      }
      if (showProgress) io.progress!(formatProgress(done, files.length));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(32, files.length) }, worker));
  } finally {
    provider.destroy();
  }
  if (showProgress) io.progress!("");

  const count = (f: (r: FileResult) => boolean): number => results.filter(f).length;
  const summary = {
    total: files.length,
    valid: count((r) => r.result?.valid === true),
    invalid: count((r) => r.result !== undefined && !r.result.valid && !r.result.inconclusive),
    breaches: count((r) => r.result?.breach !== undefined),
    errors: count((r) => r.ioError !== undefined || r.result?.inconclusive === true),
    anchorLookups: cache.anchors.size,
  };
  if (a.json) {
    io.out(
      JSON.stringify(
        {
          results: results.map((r) =>
            r.result
              ? { file: r.file, ...r.result }
              : { file: r.file, error: { code: "IO_ERROR", message: r.ioError } },
          ),
          summary,
        },
        null,
        2,
      ),
    );
  } else {
    io.out(
      `${summary.total} bundle${summary.total === 1 ? "" : "s"}: ${summary.valid} valid, ${summary.invalid} invalid` +
        ` (${summary.breaches} operator breach${summary.breaches === 1 ? "" : "es"}), ${summary.errors} error` +
        `${summary.errors === 1 ? "" : "s"}; ${summary.anchorLookups} anchor lookup${summary.anchorLookups === 1 ? "" : "s"}`,
    );
  }
  if (summary.errors > 0) return 2;
  return summary.invalid > 0 ? 1 : 0;
}

async function verifyTimelineCommand(args: string[], io: Io): Promise<number> {
  const a = parseVerifyArgs(args);
  if (a.paths.length !== 1) throw new UsageError("verify-timeline takes exactly one timeline file");
  const file = a.paths[0] as string;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    io.err(`repayproof: ${(e as Error).message}`);
    return 2;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    io.err(`repayproof: ${file} is not JSON: ${(e as Error).message}`);
    return 1;
  }
  let provider: JsonRpcProvider;
  try {
    provider = await connect(a.rpc);
  } catch (e) {
    io.err(`repayproof: cannot reach the RPC at ${a.rpc}: ${(e as Error).message.split("\n")[0]}`);
    return 2;
  }
  const contracts = { anchor: a.anchor, registry: a.registry };
  let result;
  try {
    result = await verifyTimelineBundle(json, { provider, confirmations: a.confirmations, contracts });
  } finally {
    provider.destroy();
  }
  io.out(a.json ? JSON.stringify({ file, ...result }, null, 2) : formatTimelineResult(file, result));
  if (result.inconclusive) return 2;
  return result.valid ? 0 : 1;
}

function inspectCommand(args: string[], io: Io): number {
  if (args.length !== 1 || (args[0] as string).startsWith("-")) throw new UsageError("inspect takes exactly one file");
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(args[0] as string, "utf8"));
  } catch (e) {
    io.err(`repayproof: ${(e as Error).message}`);
    return 2;
  }
  try {
    io.out(formatBundle(parseBundle(json)));
    return 0;
  } catch (e) {
    io.err(`repayproof: not a valid bundle: ${(e as Error).message}`);
    return 1;
  }
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code; never calls process.exit. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "verify") return await verifyCommand(rest, io);
    if (command === "verify-timeline") return await verifyTimelineCommand(rest, io);
    if (command === "inspect") return inspectCommand(rest, io);
    if (command === "--help" || command === "-h" || command === "help") {
      io.out(USAGE);
      return 0;
    }
    throw new UsageError(command === undefined ? "no command" : `unknown command ${command}`);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`repayproof: ${e.message}\n${USAGE}`);
    return 2;
  }
}
