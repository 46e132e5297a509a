import type { TimelineBundle, TimelineBundleEvent } from "../formats/timelineBundle";
import { KIND_NAMES } from "../formats/receipt";
import type { TimelineVerifyResult } from "../checks/timelineTypes";
import { drawEvaluation } from "./drawTimeline";
import { formatAmount, formatTime, printable, shortHex, STATUS_MARKS, UNPINNED } from "./format";

/** Output formatting of timelines: `inspect` (the file) and `verify-timeline` (the verdict). */

const MAX_DIFFERENCE_LINES = 40;
const value = (v: unknown): string => (v === undefined ? "(absent)" : JSON.stringify(v));

/**
 * A timeline verification for humans: the verdict, each check, each event that did not verify, then every
 * difference (terms and evaluation) as `path: service <value>, chain <value>`.
 */
export function formatTimelineResult(file: string, r: TimelineVerifyResult, pinned = true): string {
  const word = r.valid ? "✓ valid" : r.inconclusive ? "? error" : "✗ invalid";
  const lines = [`${word}${pinned ? "" : ` ${UNPINNED}`}  ${file}`];
  if (!pinned) lines.push(`  (${UNPINNED}: no --anchor given, so a look-alike deployment would pass too)`);
  for (const c of r.checks) {
    const at = c.field ? ` at ${c.field}` : "";
    lines.push(
      `  ${STATUS_MARKS[c.status]} ${c.check.padEnd(10)} ${c.code ?? ""}${at}${c.message ? `  ${c.message}` : ""}`.trimEnd(),
    );
  }
  for (const e of r.events.filter((x) => !x.valid)) {
    const bad = e.checks.find((c) => c.status === "fail" || c.status === "error");
    const why = e.foreign ? "another loan, agreement or deployment" : `${bad?.code ?? ""}: ${bad?.message ?? ""}`;
    lines.push(`  event ${e.index} ${e.pending ? "(pending) " : ""}${e.digest}  ${why}`);
  }
  const differences = [...r.termsDifferences, ...r.differences];
  for (const d of differences.slice(0, MAX_DIFFERENCE_LINES)) {
    lines.push(`  ≠ ${d.path}: service ${value(d.actual)}, chain ${value(d.expected)}`);
  }
  if (differences.length > MAX_DIFFERENCE_LINES) {
    lines.push(`  … and ${differences.length - MAX_DIFFERENCE_LINES} more (--json lists them all)`);
  }
  if (r.evaluation !== undefined && r.versions !== undefined) {
    lines.push("", "the loan, as recomputed here from the chain:", ...drawEvaluation(r.evaluation, r.versions));
  }
  // Messages quote the file (unknown field names, the service's values): nothing in it may drive the terminal.
  return lines.map(printable).join("\n");
}

/** One line per event: where it stands (anchored in which batch, or pending until when), what and who. */
function eventLine(e: TimelineBundleEvent, i: number): string {
  const r = e.kind === "anchored" ? e.bundle.receipt : e.pending.receipt;
  const where =
    e.kind === "anchored"
      ? `anchored  batch ${e.bundle.batch.seq}`
      : `pending   ack by ${formatTime(e.pending.ack.anchorBy)}${e.pending.ack.root === undefined ? "" : " (batch ack)"}`;
  const kind = `${KIND_NAMES[r.kind - 1] ?? "unknown"}`.padEnd(11);
  return (
    `  [${i}] ${where}  ${kind} inst ${r.installment}  ${formatAmount(r.amount, r.currency)}  ` +
    `${formatTime(r.occurredAt)}  by ${r.attester}  ${shortHex(eventDigest(e))}`
  );
}

const eventDigest = (e: TimelineBundleEvent): string => (e.kind === "anchored" ? e.bundle.digest : e.pending.digest);

/**
 * A timeline for humans, compactly: the loan, its agreement and stream, then one line per event, then the
 * service's statuses (labelled unverified: `verify-timeline` recomputes them from the chain).
 */
export function formatTimeline(t: TimelineBundle): string {
  const pending = t.events.filter((e) => e.kind === "pending").length;
  const row = (k: string, v: string): string => `  ${k.padEnd(12)} ${v}`;
  const lines = [
    `RepayProof timeline (${t.format}), chain ${t.chainId}`,
    row("loan", `${t.loanId}  (salted commitment)`),
    row("agreement", `${t.agreement.id}  (${t.agreement.versions.length} version(s) as the file copies them)`),
    row("stream", t.stream),
    row("as of", `${formatTime(t.asOf)}  [${t.asOf}]`),
    `events: ${t.events.length} (${t.events.length - pending} anchored, ${pending} pending)`,
    ...t.events.map(eventLine),
    "evaluation (the service's, unverified: `verify-timeline` recomputes it from the chain)",
    ...drawEvaluation(t.evaluation, t.agreement.versions),
    "contracts",
    row("registry", t.contracts.registry),
    row("anchor", t.contracts.anchor),
  ];
  return lines.map(printable).join("\n");
}
