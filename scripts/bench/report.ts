import { type Figure, max, median, min } from "./measure";

/** A goal on a row's ratio: the median ratio must be at least (or at most) `target`. */
export interface Goal {
  readonly text: string;
  readonly target: number;
  readonly direction: "atLeast" | "atMost";
}

/** One side of a comparison: what was measured, and its runs (absent when it could not be measured). */
export interface Side {
  readonly label: string;
  readonly figure?: Figure;
}

/** One line of the results table. */
export interface Row {
  readonly suite: string;
  readonly size: string;
  readonly ours: Side;
  readonly reference: Side;
  /** Run-by-run ratios, and what a ratio means ("× faster", "ours / bound", ...). */
  readonly ratio?: { readonly runs: readonly number[]; readonly label: string };
  /** Absent for rows that only inform (the keccak and recovery micro-suites). */
  readonly goal?: Goal;
  /** Set when the row could not be measured, saying why. */
  readonly notMeasured?: string;
  /** What was done, and why the figure is what it is. */
  readonly note?: string;
}

const SI: readonly [number, string][] = [
  [1e9, "G"],
  [1e6, "M"],
  [1e3, "k"],
];

/** A number with three significant digits and an SI prefix for large values. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  for (const [scale, prefix] of SI) if (Math.abs(x) >= scale) return `${+(x / scale).toPrecision(3)}${prefix}`;
  if (Number.isInteger(x)) return String(x);
  return String(+x.toPrecision(3));
}

/** A time in seconds, in the unit that reads best. */
function time(s: number): string {
  if (s >= 1) return `${+s.toPrecision(3)} s`;
  if (s >= 1e-3) return `${+(s * 1e3).toPrecision(3)} ms`;
  return `${+(s * 1e6).toPrecision(3)} µs`;
}

function value(x: number, unit: string): string {
  if (unit === "s") return time(x);
  if (unit === "gas") return `${Math.round(x).toLocaleString("en-US")} gas`;
  if (unit === "bytes") return `${Math.round(x).toLocaleString("en-US")} B`;
  return `${num(x)} ${unit}`;
}

/** `median (min – max)`, or the single value when all runs agree (gas is deterministic). */
export function formatFigure(f: Figure | undefined): string {
  if (!f || f.runs.length === 0) return "—";
  const lo = min(f.runs);
  const hi = max(f.runs);
  const mid = value(median(f.runs), f.unit);
  if (lo === hi) return `${mid} (×${f.runs.length})`;
  const range = (x: number): string => (f.unit === "s" ? time(x) : num(x));
  return `${mid} (${range(lo)} – ${range(hi)})`;
}

function formatRatio(r: Row["ratio"]): string {
  if (!r || r.runs.length === 0) return "—";
  const lo = min(r.runs);
  const hi = max(r.runs);
  const mid = `${num(median(r.runs))}${r.label}`;
  return lo === hi ? mid : `${mid} (${num(lo)} – ${num(hi)})`;
}

/** Whether the row's goal is met, and if not by how much it is missed (as a factor of the target). */
export function verdict(row: Row): string {
  if (row.notMeasured) return `not measured: ${row.notMeasured}`;
  if (!row.goal) return "— (informative)";
  if (!row.ratio || row.ratio.runs.length === 0) return "not measured";
  const m = median(row.ratio.runs);
  const { target, direction } = row.goal;
  const met = direction === "atLeast" ? m >= target : m <= target;
  if (met) return `met (${row.goal.text})`;
  const factor = direction === "atLeast" ? target / m : m / target;
  return `MISSED by ×${num(factor)} (${row.goal.text})`;
}

const HEAD = ["suite", "size", "ours", "reference (same run)", "ratio: median (min – max)", "goal"];

function cells(row: Row): string[] {
  const side = (s: Side): string => `${s.label}: ${formatFigure(s.figure)}`;
  return [row.suite, row.size, side(row.ours), side(row.reference), formatRatio(row.ratio), verdict(row)];
}

/** The table as aligned plain text for the terminal. */
export function textTable(rows: readonly Row[]): string {
  const body = rows.map(cells);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...body.map((c) => (c[i] as string).length)));
  const line = (c: readonly string[]): string => c.map((x, i) => x.padEnd(widths[i] as number)).join(" │ ");
  return [line(HEAD), widths.map((w) => "─".repeat(w)).join("─┼─"), ...body.map(line)].join("\n");
}

/** The table as GitHub markdown. */
export function markdownTable(rows: readonly Row[]): string {
  const esc = (s: string): string => s.replace(/\|/g, "\\|");
  return [
    `| ${HEAD.join(" | ")} |`,
    `|${HEAD.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${cells(r).map(esc).join(" | ")} |`),
  ].join("\n");
}
