import { main as verifierMain, USAGE } from "@repayproof/verifier/cli";
import { processIo, type CliIo } from "./io";
import { submitCommand, SUBMIT_USAGE } from "./submitCommand";

/**
 * `repayproof …` of the client package: `submit` (batch files, docs/batch-files.md) is the client's;
 * every other command is the verifier's (`verify`, `verify-timeline`, `share`, …), run as is.
 */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "submit") return submitCommand(rest, io);
  if (command === "help" && rest[0] === "submit") return submitCommand(["--help"], io);
  if (command === undefined || command === "--help" || command === "-h" || (command === "help" && !rest.length)) {
    io.out(`${USAGE}\n  ${SUBMIT_USAGE}`);
    return command === undefined ? 2 : 0;
  }
  return verifierMain(argv, { ...io, env: process.env });
}
