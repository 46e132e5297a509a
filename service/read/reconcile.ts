import { KIND, type ReceiptJson } from "@repayproof/verifier";

const DAY_S = 86_400;
const COLUMNS = ["due", "initiated", "settled", "forwarded", "confirmed", "reversed", "compensated"] as const;
type Column = (typeof COLUMNS)[number];
const COLUMN_OF: Record<number, Column> = {
  [KIND.DUE]: "due",
  [KIND.INITIATED]: "initiated",
  [KIND.SETTLED]: "settled",
  [KIND.FORWARDED]: "forwarded",
  [KIND.CONFIRMED]: "confirmed",
  [KIND.REVERSED]: "reversed",
  [KIND.COMPENSATED]: "compensated",
};

export interface DayAmounts {
  /** UTC day, YYYY-MM-DD. */
  date: string;
  /** Per currency (ISO 4217 numeric, as a string key): amounts of the day (decimal strings, minor units). */
  currencies: Record<string, Record<Column, string> & { floatAtEndOfDay: string }>;
}

export interface Float {
  currency: number;
  /** settled − forwarded − reversed, all time: what the collector holds (negative: it paid out more). */
  amount: string;
  /** occurredAt of the oldest SETTLED amount not yet covered by FORWARDED/REVERSED (FIFO); null when none. */
  oldestUnforwardedAt: number | null;
  ageSecs: number | null;
}

export interface Reconciliation {
  days: DayAmounts[];
  float: Float[];
}

/** YYYY-MM-DD of a UTC time. */
export const utcDate = (t: number): string => new Date(t * 1000).toISOString().slice(0, 10);

/** Seconds at 00:00 UTC of a YYYY-MM-DD day, or undefined when it is not a real date. */
export function parseUtcDay(s: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return undefined;
  const ms = Date.parse(s + "T00:00:00Z");
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== s) return undefined;
  return ms / 1000;
}

/** Drops VOIDED receipts and the receipts they void (when signed by the voided receipt's attester). */
export function withoutVoided(receipts: readonly { digest: string; receipt: ReceiptJson }[]): ReceiptJson[] {
  const attesterOf = new Map(receipts.map((r) => [r.digest.toLowerCase(), r.receipt.attester.toLowerCase()]));
  const voided = new Set<string>();
  for (const { receipt } of receipts) {
    const ref = receipt.ref.toLowerCase();
    if (receipt.kind === KIND.VOIDED && attesterOf.get(ref) === receipt.attester.toLowerCase()) voided.add(ref);
  }
  return receipts
    .filter((r) => r.receipt.kind !== KIND.VOIDED && !voided.has(r.digest.toLowerCase()))
    .map((r) => r.receipt);
}

/**
 * A funder's reconciliation of one agreement (docs/api.md, "Reconciliation"): per UTC day in
 * [fromDay, toDay], the amounts of each stage by the receipts' occurredAt, per currency, and the collector's
 * float at the end of the day; then the float now and the age of its oldest unforwarded money, matching
 * outflows (FORWARDED, REVERSED) against SETTLED amounts first in, first out. Pure.
 */
export function reconcile(
  receipts: readonly ReceiptJson[],
  fromDay: number,
  toDay: number,
  now: number,
): Reconciliation {
  const sorted = [...receipts].sort((a, b) => a.occurredAt - b.occurredAt);
  const currencies = [...new Set(sorted.map((r) => r.currency))].sort((a, b) => a - b);
  const days: DayAmounts[] = [];
  const float = new Map<number, bigint>(currencies.map((c) => [c, 0n]));
  let i = 0;
  const flowOf = (r: ReceiptJson): bigint =>
    r.kind === KIND.SETTLED
      ? BigInt(r.amount)
      : r.kind === KIND.FORWARDED || r.kind === KIND.REVERSED
        ? -BigInt(r.amount)
        : 0n;
  // Everything before the first day only moves the float.
  for (; i < sorted.length && (sorted[i] as ReceiptJson).occurredAt < fromDay; i++) {
    const r = sorted[i] as ReceiptJson;
    float.set(r.currency, (float.get(r.currency) ?? 0n) + flowOf(r));
  }
  for (let day = fromDay; day <= toDay; day += DAY_S) {
    const sums = new Map<number, Record<Column, bigint>>();
    for (; i < sorted.length && (sorted[i] as ReceiptJson).occurredAt < day + DAY_S; i++) {
      const r = sorted[i] as ReceiptJson;
      const col = COLUMN_OF[r.kind];
      if (!col) continue;
      let s = sums.get(r.currency);
      if (!s) sums.set(r.currency, (s = Object.fromEntries(COLUMNS.map((c) => [c, 0n])) as Record<Column, bigint>));
      s[col] += BigInt(r.amount);
      float.set(r.currency, (float.get(r.currency) ?? 0n) + flowOf(r));
    }
    const out: DayAmounts["currencies"] = {};
    for (const [c, s] of sums) {
      const strings = Object.fromEntries(COLUMNS.map((col) => [col, s[col].toString()])) as Record<Column, string>;
      out[String(c)] = { ...strings, floatAtEndOfDay: (float.get(c) ?? 0n).toString() };
    }
    days.push({ date: utcDate(day), currencies: out });
  }
  return { days, float: currencies.map((c) => floatOf(sorted, c, now)) };
}

/** The collector's float per currency now (see `reconcile`). */
export function floatsOf(receipts: readonly ReceiptJson[], now: number): Float[] {
  const sorted = [...receipts].sort((a, b) => a.occurredAt - b.occurredAt);
  return [...new Set(sorted.map((r) => r.currency))].sort((a, b) => a - b).map((c) => floatOf(sorted, c, now));
}

function floatOf(sorted: readonly ReceiptJson[], currency: number, now: number): Float {
  const mine = sorted.filter((r) => r.currency === currency);
  let inflow = 0n;
  let outflow = 0n;
  for (const r of mine) {
    if (r.kind === KIND.SETTLED) inflow += BigInt(r.amount);
    else if (r.kind === KIND.FORWARDED || r.kind === KIND.REVERSED) outflow += BigInt(r.amount);
  }
  // FIFO: the outflows pay off the oldest settlements first; the first not fully paid off is the oldest money.
  let left = outflow;
  let oldest: number | null = null;
  for (const r of mine) {
    if (r.kind !== KIND.SETTLED) continue;
    const a = BigInt(r.amount);
    if (left >= a) left -= a;
    else {
      oldest = r.occurredAt;
      break;
    }
  }
  return {
    currency,
    amount: (inflow - outflow).toString(),
    oldestUnforwardedAt: oldest,
    ageSecs: oldest === null ? null : Math.max(0, now - oldest),
  };
}
