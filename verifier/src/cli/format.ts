import { type ReceiptBundle } from "../formats/bundle";
import { CHECKS, type CheckResult, type VerifyResult } from "../checks/types";
import { CHANNEL_NAMES, KIND_NAMES } from "../formats/receipt";

/**
 * Output formatting of the CLI (pure string functions, so the CLI stays argument parsing and I/O). Every
 * string that came from a file (names, messages quoting it, field paths) goes through {@link printable}.
 */

/** One mark per check status in text output. */
export const STATUS_MARKS: Record<CheckResult["status"], string> = { pass: "✓", fail: "✗", skip: "·", error: "?" };

// C0 and C1 controls, DEL, and the Unicode line/paragraph separators and bidirectional overrides: what
// moves a terminal's cursor, recolours it, or reorders what the reader sees (terminal-escape injection).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `s` with every control character written as an escape (`\x1b`, `\u202e`), so a file cannot drive the terminal. */
export function printable(s: string): string {
  return s.replace(UNPRINTABLE, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, "0")}` : `\\u${n.toString(16).padStart(4, "0")}`;
  });
}

/**
 * `v` as (pretty) JSON that a terminal can show: JSON.stringify escapes C0 controls but leaves DEL, C1
 * controls (U+009B is a CSI on many terminals) and bidi overrides raw; they become `\uXXXX` escapes here,
 * so `--json` output parses to the same value and cannot drive the terminal either.
 */
export function printableJson(v: unknown, indent = 2): string {
  return JSON.stringify(v, null, indent).replace(UNPRINTABLE, (c) =>
    c === "\n" ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

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

/** What an unpinned verification adds to its verdict: anyone can deploy look-alike contracts. */
export const UNPINNED = "UNPINNED";

/**
 * One line per bundle: verdict (with UNPINNED when no trusted anchor was given), file, a mark per check, and
 * the first failure's code and message.
 */
export function formatResultLine(file: string, r: VerifyResult, pinned = true): string {
  const marks = CHECKS.map((name) => {
    const c = r.checks.find((x) => x.check === name);
    return `${name}${c ? STATUS_MARKS[c.status] : " "}`;
  }).join(" ");
  const bad = r.checks.find((c) => c.status === "fail" || c.status === "error");
  const why = bad ? `  ${bad.code}${bad.field ? ` at ${bad.field}` : ""}: ${bad.message ?? ""}` : "";
  return `${verdictWord(r)}${pinned ? "" : ` ${UNPINNED}`} ${printable(file)}  ${marks}${printable(why)}`;
}

/** A text progress bar, e.g. `[########------------] 412/1000`. */
export function formatProgress(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`;
}

/** A long hex string shortened for a human (`0x1234567890…89abcdef`). */
export const shortHex = (hex: string): string => (hex.length > 22 ? `${hex.slice(0, 12)}…${hex.slice(-8)}` : hex);
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
    row("signature", `${shortHex(b.signature)} (${(b.signature.length - 2) / 2} bytes)`),
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
      row("signature", shortHex(b.ack.signature)),
    );
    if (b.ack.root !== undefined && b.ack.proof !== undefined) {
      // v0.2: one operator signature over a batch of receipts accepted together (AckBatch).
      const n = b.ack.proof.length;
      lines.push(row("batch root", b.ack.root), row("batch proof", `${n} element${n === 1 ? "" : "s"}`));
    }
  } else {
    lines.push("ack          (none)");
  }
  lines.push("contracts", row("registry", b.contracts.registry), row("anchor", b.contracts.anchor));
  return lines.join("\n");
}
