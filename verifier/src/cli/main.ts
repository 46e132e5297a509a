import { parseChainArgs, parseInspectArgs } from "./args";
import { disclosureCommand } from "./disclosureCommand";
import { inspectCommand } from "./inspectCommand";
import { shareCommand } from "./shareCommand";
import { mergeCommand } from "./mergeCommand";
import { printable } from "./format";
import { processIo, UsageError, type Io } from "./io";
import { helpOf, isCommand, SYNOPSIS, USAGE, type Command } from "./usage";
import { verifyCommand } from "./verifyCommand";
import { verifyTimelineCommand } from "./verifyTimelineCommand";
import { versionText } from "./version";

/**
 * `repayproof verify <file|dir>… [--rpc <url>] [--confirmations N] [--json] [--anchor A] [--registry R]`,
 * `repayproof verify-timeline <timeline.json> [same options]`, `repayproof inspect <file>`, `repayproof help
 * [<command>]`, `repayproof --version`. Only argument parsing (node:util parseArgs, strict), file reading and
 * printing: every judgement is the library's (verifyReceiptBundle, verifyTimelineBundle). Exit codes: 0 all
 * valid, 1 something invalid, 2 usage or I/O error (unreadable file, unreachable RPC, a check that could not
 * run).
 */

export type { Io };
export { USAGE };

async function run(command: Command, args: string[], io: Io): Promise<number> {
  if (command === "share") return shareCommand(args, io, () => help(io, command));
  if (command === "disclosure") return disclosureCommand(args, io, () => help(io, command));
  if (command === "inspect") {
    const a = parseInspectArgs(args);
    if (a.help) return help(io, command);
    return inspectCommand(a.file, io);
  }
  const a = parseChainArgs(command, args, io.env ?? process.env);
  if (a.help) return help(io, command);
  if (command === "merge") return mergeCommand(a, io);
  return command === "verify" ? verifyCommand(a, io) : verifyTimelineCommand(a, io);
}

function help(io: Io, command?: Command): number {
  io.out(helpOf(command));
  return 0;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code; never calls process.exit. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (isCommand(command)) return await run(command, rest, io);
    if (command === "--version" || command === "-V") {
      io.out(await versionText());
      return 0;
    }
    if (command === "--help" || command === "-h") return help(io);
    if (command === "help") {
      const [topic, ...extra] = rest;
      if (topic === undefined) return help(io);
      if (!isCommand(topic) || extra.length > 0) throw new UsageError(`no help on ${rest.join(" ")}: not a command`);
      return help(io, topic);
    }
    throw new UsageError(command === undefined ? "no command" : `unknown command ${command}`);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    // One line saying what is wrong, then how the command is used (every command's when none was given).
    const usage = isCommand(e.command)
      ? `usage: ${SYNOPSIS[e.command]}\n(repayproof help ${e.command} lists the options)`
      : USAGE;
    io.err(`repayproof${e.command ? ` ${e.command}` : ""}: ${printable(e.message)}\n${usage}`);
    return 2;
  }
}
