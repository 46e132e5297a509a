import { type ReceiptBundle } from "../formats/bundle";
import { CHECKS, type CheckResult, type VerifyResult } from "../checks/types";
import { CHANNEL_NAMES, KIND_NAMES } from "../formats/receipt";
import { type TimelineVerifyResult } from "../verifyTimelineBundle";

/** Output formatting of the CLI (pure string functions, so the CLI stays argument parsing and I/O). */

const MARK: Record<CheckResult["status"], string> = { pass: "✓", fail: "✗", skip: "·", error: "?" };

/** ISO 4217 numeric → alphabetic code and minor-unit digits, for the currencies lenders here meet. */
const CURRENCIES: Record<number, [string, number]> = {
  156: ["CNY", 2],
  344: ["HKD", 2],
  446: ["MOP", 2],
  901: ["TWD", 2],
  840: ["USD", 2],
  978: ["EUR", 2],
  826: ["GBP", 2],
  392: ["JPY", 0],
  410: ["KRW", 0],
  702: ["SGD", 2],
};

/** `amount` minor units of ISO 4217 `currency`, e.g. `1,250.00 CNY`; unknown currencies stay in minor units. */
export function formatAmount(amount: bigint, currency: number): string {
  const c = CURRENCIES[currency];
  if (c === undefined) return `${amount} minor units of ISO 4217 #${currency}`;
  const [code, digits] = c;
  const s = amount.toString().padStart(digits + 1, "0");
  const whole = s.slice(0, s.length - digits).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return digits === 0 ? `${whole} ${code}` : `${whole}.${s.slice(s.length - digits)} ${code}`;
}

/** Unix seconds as `YYYY-MM-DD hh:mm:ss UTC` (out-of-range times are shown raw). */
export function formatTime(secs: number): string {
  const d = new Date(secs * 1000);
  if (Number.isNaN(d.getTime())) return `${secs} (unix seconds)`;
  return d
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, " UTC");
}

/** A verdict word for one result: valid, breach (authentic but the operator broke its Ack), invalid, error. */
export function verdictWord(r: VerifyResult): string {
  if (r.valid) return "✓ valid  ";
  if (r.inconclusive) return "? error  ";
  if (r.authentic) return "⚠ breach ";
  return "✗ invalid";
}

/** One line per bundle: verdict, file, a mark per check, and the first failure's code and message. */
export function formatResultLine(file: string, r: VerifyResult): string {
  const marks = CHECKS.map((name) => {
    const c = r.checks.find((x) => x.check === name);
    return `${name}${c ? MARK[c.status] : " "}`;
  }).join(" ");
  const bad = r.checks.find((c) => c.status === "fail" || c.status === "error");
  return `${verdictWord(r)} ${file}  ${marks}${bad ? `  ${bad.code}: ${bad.message ?? ""}` : ""}`;
}

/** A text progress bar, e.g. `[########------------] 412/1000`. */
export function formatProgress(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`;
}

const short = (hex: string): string => (hex.length > 22 ? `${hex.slice(0, 12)}…${hex.slice(-8)}` : hex);
const ZERO32 = "0x" + "00".repeat(32);

/** A bundle for humans: names for kinds and channels, amounts with currency, times in UTC. */
export function formatBundle(b: ReceiptBundle): string {
  const r = b.receipt;
  const row = (k: string, v: string): string => `  ${k.padEnd(12)} ${v}`;
  const lines = [
    `RepayProof receipt (${b.format}), chain ${b.chainId}`,
    row("kind", `${KIND_NAMES[r.kind - 1] ?? "unknown"} (${r.kind})`),
    row("amount", `${formatAmount(r.amount, r.currency)}  [${r.amount} minor units, currency ${r.currency}]`),
    row("installment", String(r.installment)),
    row("channel", `${CHANNEL_NAMES[r.channel] ?? "unknown"} (${r.channel})`),
    row("occurred at", `${formatTime(r.occurredAt)}  [${r.occurredAt}]`),
    row("attester", r.attester),
    row("agreement", r.agreementId),
    row("loan", `${r.loanId}  (salted commitment)`),
    row("externalRef", r.externalRef === ZERO32 ? "(none)" : r.externalRef),
    row("ref", r.ref === ZERO32 ? "(none)" : r.ref),
    row("nonce", r.nonce.toString()),
    row("digest", b.digest),
    row("signature", `${short(b.signature)} (${(b.signature.length - 2) / 2} bytes)`),
    "batch (as the bundle claims it; `verify` reads the anchor from the chain)",
    row("stream", b.batch.stream),
    row("seq", String(b.batch.seq)),
    row("root", b.batch.root),
    row("count", String(b.batch.count)),
    row("tx", b.batch.txHash),
    row("block", String(b.batch.blockNumber)),
    row("proof", `${b.proof.length} element${b.proof.length === 1 ? "" : "s"}`),
  ];
  if (b.ack) {
    lines.push(
      "ack (the operator's promise to anchor)",
      row("accepted at", formatTime(b.ack.acceptedAt)),
      row("anchor by", `${formatTime(b.ack.anchorBy)}  (+${b.ack.anchorBy - b.ack.acceptedAt} s)`),
      row("signature", short(b.ack.signature)),
    );
  } else {
    lines.push("ack          (none)");
  }
  lines.push("contracts", row("registry", b.contracts.registry), row("anchor", b.contracts.anchor));
  return lines.join("\n");
}

const MAX_DIFFERENCE_LINES = 40;
const value = (v: unknown): string => (v === undefined ? "(absent)" : JSON.stringify(v));

/**
 * A timeline verification for humans: the verdict, each check, each event that did not verify, then every
 * difference (terms and evaluation) as `path: service <value>, chain <value>`.
 */
export function formatTimelineResult(file: string, r: TimelineVerifyResult): string {
  const word = r.valid ? "✓ valid" : r.inconclusive ? "? error" : "✗ invalid";
  const lines = [`${word}  ${file}`];
  for (const c of r.checks) {
    lines.push(
      `  ${MARK[c.status]} ${c.check.padEnd(10)} ${c.code ?? ""}${c.message ? `  ${c.message}` : ""}`.trimEnd(),
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
  return lines.join("\n");
}
