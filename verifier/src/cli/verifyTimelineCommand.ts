import type { JsonRpcProvider } from "ethers";
import { verifyTimelineBundle } from "../verifyTimelineBundle";
import type { ChainArgs } from "./args";
import { printable, printableJson } from "./format";
import { formatTimelineResult } from "./formatTimeline";
import { TIMELINE_FORMAT } from "../formats/timelineBundle";
import { connect, firstLine, readProofFile, UsageError, type Io } from "./io";

/**
 * `repayproof verify-timeline <timeline.json>`: re-verifies one timeline from the chain alone and prints the
 * verdict, every check and every difference (or `--json`). Exit 0 valid, 1 invalid, 2 a file that cannot
 * be a timeline (unreadable, too large, not JSON, another format), an unreachable RPC or a check that could
 * not run.
 */
export async function verifyTimelineCommand(a: ChainArgs, io: Io): Promise<number> {
  if (a.paths.length !== 1) throw new UsageError("verify-timeline takes exactly one timeline file", "verify-timeline");
  const file = a.paths[0] as string;
  const read = readProofFile(file, [TIMELINE_FORMAT]);
  if ("ioError" in read) {
    io.err(`repayproof: ${printable(file)}: ${printable(read.ioError)}`);
    return 2;
  }
  const json = read.json;
  let provider: JsonRpcProvider;
  try {
    provider = await connect(a.rpc);
  } catch (e) {
    io.err(`repayproof: cannot reach the RPC at ${printable(a.rpc)}: ${printable(firstLine(e))}`);
    return 2;
  }
  const contracts = { anchor: a.anchor, registry: a.registry };
  let result;
  try {
    result = await verifyTimelineBundle(json, { provider, confirmations: a.confirmations, contracts });
  } finally {
    provider.destroy();
  }
  const pinned = a.anchor !== undefined;
  io.out(a.json ? printableJson({ file, pinned, ...result }) : formatTimelineResult(file, result, pinned));
  if (result.inconclusive) return 2;
  return result.valid ? 0 : 1;
}
