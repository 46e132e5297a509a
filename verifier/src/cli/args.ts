import { parseArgs } from "node:util";
import { isAddress } from "../formats/hex";
import { UsageError } from "./io";
import type { Command } from "./usage";

/** What `verify`, `verify-timeline` and `merge` take. */
export interface ChainArgs {
  paths: string[];
  rpc: string;
  confirmations: number;
  json: boolean;
  anchor?: string;
  registry?: string;
  /** `merge` only: where to write the merged timeline. */
  out?: string;
}

const HELP_OPTION = { help: { type: "boolean", short: "h" } } as const;
const CHAIN_OPTIONS = {
  ...HELP_OPTION,
  rpc: { type: "string" },
  confirmations: { type: "string" },
  json: { type: "boolean" },
  anchor: { type: "string" },
  registry: { type: "string" },
} as const;

/** parseArgs' errors in one line each (its own run over several, with advice for a case we never meet). */
function oneLine(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  const option = /'(-[^' ]*)/.exec(message)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option ${option}`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    if (/does not take an argument/.test(message)) return `${option} takes no value`;
    return `${option} needs a value (write ${option}=<value> for one that starts with a dash)`;
  }
  return message.split("\n")[0] ?? message;
}

export function strictly<T>(command: Command, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new UsageError(oneLine(e), command);
  }
}

/** `--help` alone: the caller prints the command's help. */
export type Parsed<T> = { help: true } | ({ help?: false } & T);

/**
 * The arguments of `verify` or `verify-timeline` (strict: an unknown option is a usage error). `--rpc`
 * defaults to `env.RPC_URL`, so a shell that exports it need not repeat it.
 */
export function parseChainArgs(
  command: "verify" | "verify-timeline" | "merge",
  args: string[],
  env: Readonly<Record<string, string | undefined>>,
): Parsed<ChainArgs> {
  const options = command === "merge" ? { ...CHAIN_OPTIONS, out: { type: "string" } as const } : CHAIN_OPTIONS;
  const { values, positionals } = strictly(command, () =>
    parseArgs({ args, options, strict: true, allowPositionals: true }),
  );
  if (values.help) return { help: true };
  if (positionals.length === 0) throw new UsageError(`${command} needs at least one file`, command);
  const rpc = values.rpc ?? (env.RPC_URL || undefined);
  if (rpc === undefined)
    throw new UsageError(`${command} needs --rpc <url> (or the RPC_URL environment variable)`, command);
  const confirmations = values.confirmations === undefined ? 1 : Number(values.confirmations);
  if (!Number.isSafeInteger(confirmations) || confirmations < 1) {
    throw new UsageError("--confirmations must be a positive integer", command);
  }
  for (const k of ["anchor", "registry"] as const) {
    if (values[k] !== undefined && !isAddress(values[k])) throw new UsageError(`--${k} must be an address`, command);
  }
  const out: ChainArgs = { paths: positionals, rpc, confirmations, json: values.json === true };
  if (values.anchor !== undefined) out.anchor = values.anchor;
  if (values.registry !== undefined) out.registry = values.registry;
  const file = (values as { out?: string }).out;
  if (file !== undefined) out.out = file;
  return out;
}

/** The arguments of `inspect`: exactly one file. */
export function parseInspectArgs(args: string[]): Parsed<{ file: string }> {
  const { values, positionals } = strictly("inspect", () =>
    parseArgs({ args, options: HELP_OPTION, strict: true, allowPositionals: true }),
  );
  if (values.help) return { help: true };
  if (positionals.length !== 1) throw new UsageError("inspect takes exactly one file", "inspect");
  return { file: positionals[0] as string };
}
