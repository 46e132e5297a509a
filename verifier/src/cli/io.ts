import fs from "node:fs";
import path from "node:path";
import { FetchRequest, JsonRpcProvider, Network } from "ethers";

/** Where the CLI writes, and what it reads from its environment (tests pass their own). */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Overwrites the current stderr line (progress); absent when stderr is not a terminal. */
  progress?(line: string): void;
  /** Environment variables (`RPC_URL`); the process's when absent. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The real process: stdout, stderr (with a progress line on a terminal) and its environment. */
export const processIo: Io = {
  out: (l) => process.stdout.write(l + "\n"),
  err: (l) => process.stderr.write(l + "\n"),
  ...(process.stderr.isTTY ? { progress: (l: string) => process.stderr.write(`\r${l}\x1b[K`) } : {}),
  env: process.env,
};

/** A mistake in the command line: exit 2 with the message and the usage of `command` (or of every command). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

/** Expands directories to their *.json files (sorted, recursively); throws on a path that cannot be read. */
export function expand(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const f = path.join(dir, e.name);
      if (e.isDirectory()) walk(f);
      else if (e.name.endsWith(".json")) out.push(f);
    }
  };
  for (const p of paths) {
    if (fs.statSync(p).isDirectory()) walk(p);
    else out.push(p);
  }
  return out;
}

/** The first line of an error's message (ethers appends pages of detail). */
export const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";

/** Connects to the RPC once (eth_chainId with a timeout), so a dead URL is an I/O error, not an endless retry. */
export async function connect(url: string): Promise<JsonRpcProvider> {
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

/** Largest file read: a timeline of 10,000 events is a few MB; anything much larger is not a proof file. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Reads a file the CLI was given as one of the `formats` it expects (by its `format` field), or says why it
 * cannot be one — unreadable, too large (refused before reading), not JSON, not a RepayProof file of that
 * kind — as an I/O error (exit 2) naming what is wrong. A file of the right format with a bad field is not
 * refused here: its FORMAT check names the field.
 */
export function readProofFile(file: string, formats: readonly string[]): { json: unknown } | { ioError: string } {
  let text: string;
  try {
    const size = fs.statSync(file).size;
    if (size > MAX_FILE_BYTES) {
      return {
        ioError: `too large to be a proof file (${(size / 1e6).toFixed(1)} MB; at most ${MAX_FILE_BYTES / 1e6} MB)`,
      };
    }
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    return { ioError: firstLine(e) };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ioError: `not JSON: ${firstLine(e)}` };
  }
  const format =
    typeof json === "object" && json !== null && !Array.isArray(json)
      ? (json as { format?: unknown }).format
      : undefined;
  if (typeof format !== "string" || !formats.includes(format)) {
    const said = typeof format === "string" ? `format ${JSON.stringify(format.slice(0, 80))}` : "no format field";
    return { ioError: `not a ${formats.join(" or ")} file (${said})` };
  }
  return { json };
}
