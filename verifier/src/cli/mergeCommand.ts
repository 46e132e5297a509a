import fs from "node:fs";
import type { JsonRpcProvider } from "ethers";
import { mergeTimeline, type MergeResult } from "../merge/mergeTimeline";
import type { ChainArgs } from "./args";
import { drawEvaluation } from "./drawTimeline";
import { formatResultLine, printable, printableJson } from "./format";
import { formatTimelineResult } from "./formatTimeline";
import { BUNDLE_FORMAT } from "../formats/bundle";
import { TIMELINE_FORMAT } from "../formats/timelineBundle";
import { connect, expand, firstLine, readProofFile, UsageError, type Io } from "./io";

const STATUS_WORDS: Record<MergeResult["bundles"][number]["status"], string> = {
  added: "+ ADDED     missing from the operator's timeline",
  present: "= present   already in the timeline",
  foreign: "· foreign   another loan, agreement or deployment: left out",
  invalid: "✗ invalid   does not verify: left out",
  inconclusive: "? error     could not be checked",
};

function readJson(file: string, format: string): { json?: unknown; error?: string } {
  const r = readProofFile(file, [format]);
  return "ioError" in r ? { error: r.ioError } : { json: r.json };
}

function report(
  timelineFile: string,
  files: string[],
  m: MergeResult,
  out: string | undefined,
  pinned: boolean,
): string[] {
  const lines = [formatTimelineResult(timelineFile, m.timeline, pinned).split("\n")[0] as string, "bundles:"];
  for (const b of m.bundles) {
    lines.push(`  ${STATUS_WORDS[b.status]}  ${files[b.index]}`);
    if (b.status === "invalid") lines.push(`      ${formatResultLine(files[b.index] as string, b.result)}`);
  }
  if (m.withheld.length > 0) {
    lines.push(
      `the operator's timeline lacked ${m.withheld.length} genuine receipt(s) of this loan: evidence of withholding`,
    );
  }
  for (const d of m.differences.slice(0, 40)) {
    lines.push(`  ≠ ${d.path}: operator ${JSON.stringify(d.actual)}, with every receipt ${JSON.stringify(d.expected)}`);
  }
  if (m.evaluation && m.timeline.versions) {
    lines.push("", "the loan, from every genuine receipt:", ...drawEvaluation(m.evaluation, m.timeline.versions));
  }
  if (out) lines.push("", `merged timeline written to ${out} (check it with repayproof verify-timeline)`);
  return lines.map(printable);
}

/**
 * `repayproof merge <timeline.json> <bundle|dir>… [--out merged.json]`: the operator's timeline of a loan
 * beside the receipt bundles parties hold, verified from the chain alone and re-evaluated from all of them.
 * Exit 0 when the timeline verifies and lacked nothing, 1 when something is invalid, foreign or was missing
 * from it (withheld), 2 on usage or I/O errors or a check that could not run.
 */
export async function mergeCommand(a: ChainArgs & { out?: string }, io: Io): Promise<number> {
  const [timelineFile, ...rest] = a.paths;
  if (timelineFile === undefined || rest.length === 0) {
    throw new UsageError("merge takes a timeline file, then one or more bundle files or directories", "merge");
  }
  let files: string[];
  try {
    files = expand(rest);
  } catch (e) {
    io.err(`repayproof: ${printable(firstLine(e))}`);
    return 2;
  }
  const timeline = readJson(timelineFile, TIMELINE_FORMAT);
  const bundles = files.map((f) => readJson(f, BUNDLE_FORMAT));
  const unreadable = [timeline, ...bundles].findIndex((r) => r.error !== undefined);
  if (unreadable >= 0) {
    io.err(
      `repayproof: ${printable([timelineFile, ...files][unreadable] as string)}: ${printable(String([timeline, ...bundles][unreadable]!.error))}`,
    );
    return 2;
  }
  let provider: JsonRpcProvider;
  try {
    provider = await connect(a.rpc);
  } catch (e) {
    io.err(`repayproof: cannot reach the RPC at ${printable(a.rpc)}: ${printable(firstLine(e))}`);
    return 2;
  }
  let m: MergeResult;
  try {
    const contracts = { ...(a.anchor ? { anchor: a.anchor } : {}), ...(a.registry ? { registry: a.registry } : {}) };
    m = await mergeTimeline(
      timeline.json,
      bundles.map((b) => b.json),
      { provider, confirmations: a.confirmations, contracts },
    );
  } finally {
    provider.destroy();
  }
  if (a.out !== undefined && m.merged !== undefined) fs.writeFileSync(a.out, JSON.stringify(m.merged, null, 2) + "\n");
  io.out(
    a.json
      ? printableJson({ files: { timeline: timelineFile, bundles: files }, pinned: a.anchor !== undefined, ...m })
      : report(timelineFile, files, m, m.merged ? a.out : undefined, a.anchor !== undefined).join("\n"),
  );
  if (m.inconclusive) return 2;
  return m.valid ? 0 : 1;
}
