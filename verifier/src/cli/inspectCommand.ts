import fs from "node:fs";
import { BUNDLE_FORMAT, parseBundle } from "../formats/bundle";
import { parseTimelineBundle, TIMELINE_FORMAT } from "../formats/timelineBundle";
import { formatBundle, printable } from "./format";
import { formatTimeline } from "./formatTimeline";
import { firstLine, type Io } from "./io";

/** The `format` field of a parsed file, when it has one. */
function formatOf(json: unknown): unknown {
  return typeof json === "object" && json !== null && !Array.isArray(json)
    ? (json as { format?: unknown }).format
    : undefined;
}

/**
 * `repayproof inspect <file>`: prints a receipt proof bundle or a timeline for humans, recognized by its
 * `format` field (anything else is read as a bundle, whose parser then names what is wrong). Checks the
 * shape only. Exit 0 printed, 1 not a valid bundle or timeline, 2 an unreadable file.
 */
export function inspectCommand(file: string, io: Io): number {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    io.err(`repayproof: ${printable(firstLine(e))}`);
    return 2;
  }
  const format = formatOf(json);
  const timeline = format === TIMELINE_FORMAT;
  if (!timeline && typeof format === "string" && format !== BUNDLE_FORMAT) {
    const known = `${BUNDLE_FORMAT} or ${TIMELINE_FORMAT}`;
    io.err(
      `repayproof: not a file this verifier reads: format ${printable(JSON.stringify(format.slice(0, 80)))}, not ${known}`,
    );
    return 1;
  }
  try {
    io.out(timeline ? formatTimeline(parseTimelineBundle(json)) : formatBundle(parseBundle(json)));
    return 0;
  } catch (e) {
    io.err(`repayproof: not a valid ${timeline ? "timeline" : "bundle"}: ${printable(firstLine(e))}`);
    return 1;
  }
}
