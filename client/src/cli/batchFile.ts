import { CHANNEL_NAMES, externalRefOf, isBytes32, KIND, loanIdOf, type KindName } from "@repayproof/verifier";
import type { ReceiptInput } from "../receipts";
import { splitCsvLine } from "./csv";

/** The columns of a batch file (docs/batch-files.md); any other column is a usage error. */
export const COLUMNS = [
  "agreementId",
  "loanRef",
  "installment",
  "kind",
  "amount",
  "currency",
  "channel",
  "txId",
  "ref",
  "occurredAt",
] as const;
type Column = (typeof COLUMNS)[number];
const REQUIRED: readonly Column[] = ["loanRef", "installment", "kind", "amount", "occurredAt"];

/** A row turned into a receipt (its nonce not yet derived), or why it cannot be one. */
export type Row = { line: number; receipt: Omit<ReceiptInput, "nonce"> } | { line: number; error: string };

/** What rows need besides their own fields. */
export interface RowContext {
  salt: string;
  /** `--agreement`: the agreement of rows without an `agreementId` column. */
  agreementId?: string;
}

const ZERO32 = "0x" + "00".repeat(32);
const KINDS = new Map<string, number>(Object.entries(KIND).map(([k, v]) => [k, v]));

function uintField(v: string, name: string, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) > max) throw new Error(`${name} must be a whole number from 0 to ${max}`);
  return Number(v);
}

/** Unix seconds, or an ISO 8601 time with its zone (`2026-12-01T09:30:00+08:00`, `…Z`). */
function timeField(v: string): number {
  if (/^\d+$/.test(v)) return uintField(v, "occurredAt", Number.MAX_SAFE_INTEGER);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(v)) {
    throw new Error("occurredAt must be unix seconds or ISO 8601 with a zone (2026-12-01T09:30:00+08:00)");
  }
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new Error(`occurredAt ${v} is not a date`);
  return Math.floor(ms / 1000);
}

/** One row's fields (strings; empty = absent) as a receipt. Throws the reason it is bad. */
function toReceipt(f: Partial<Record<Column, string>>, ctx: RowContext): Omit<ReceiptInput, "nonce"> {
  for (const c of REQUIRED) if (!f[c]) throw new Error(`${c} is missing`);
  const agreementId = (f.agreementId || ctx.agreementId || "").toLowerCase();
  if (!isBytes32(agreementId)) throw new Error("agreementId must be 0x and 64 hex digits (or give --agreement)");
  const kindText = (f.kind as string).toUpperCase();
  const kind = KINDS.get(kindText) ?? (/^[1-8]$/.test(kindText) ? Number(kindText) : undefined);
  if (kind === undefined) throw new Error(`kind must be one of ${Object.keys(KIND).join(", ")} (or 1-8)`);
  const amount = f.amount as string;
  if (!/^\d+$/.test(amount)) throw new Error("amount is in minor units (fen): a whole number, no decimal point");
  if (amount.length > 78) throw new Error("amount is too large");
  const channelText = f.channel ?? "";
  const byName = CHANNEL_NAMES.indexOf(channelText.toLowerCase());
  const channel = channelText === "" ? 0 : byName >= 0 ? byName : uintField(channelText, "channel", 255);
  const ref = (f.ref || ZERO32).toLowerCase();
  if (!isBytes32(ref)) throw new Error("ref must be 0x and 64 hex digits (the digest of the receipt it follows)");
  return {
    agreementId,
    loanId: loanIdOf(f.loanRef as string, ctx.salt),
    installment: uintField(f.installment as string, "installment", 0xffffffff),
    kind: kind as number | KindName,
    amount,
    currency: f.currency ? uintField(f.currency, "currency", 0xffff) : 156,
    channel,
    externalRef: f.txId ? externalRefOf(f.txId) : ZERO32,
    ref,
    occurredAt: timeField(f.occurredAt as string),
  };
}

/**
 * The rows of a CSV file (a header line naming the columns) or a JSON Lines file (one object per line with
 * the same names; numbers or strings). Blank lines are skipped; line numbers are the file's (1-based).
 * Throws on a header with an unknown or missing column (the whole file is unusable).
 */
export function parseBatchFile(text: string, format: "csv" | "jsonl", ctx: RowContext): Row[] {
  const lines = text.split(/\r?\n/);
  const rows: Row[] = [];
  let header: string[] | undefined;
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "") return;
    let fields: Partial<Record<Column, string>>;
    try {
      if (format === "csv") {
        const cells = splitCsvLine(raw);
        if (!header) {
          header = cells.map((c) => c.trim());
          const unknown = header.filter((c) => !(COLUMNS as readonly string[]).includes(c));
          if (unknown.length)
            throw new HeaderError(`unknown column ${unknown.join(", ")}; columns: ${COLUMNS.join(", ")}`);
          const missing = REQUIRED.filter((c) => !header?.includes(c));
          if (missing.length) throw new HeaderError(`the header lacks ${missing.join(", ")}`);
          return;
        }
        if (cells.length !== header.length) throw new Error(`${cells.length} cells, the header has ${header.length}`);
        fields = Object.fromEntries(header.map((h, k) => [h, (cells[k] as string).trim()]));
      } else {
        const obj = JSON.parse(raw) as unknown;
        if (typeof obj !== "object" || obj === null || Array.isArray(obj)) throw new Error("not a JSON object");
        const unknown = Object.keys(obj).filter((c) => !(COLUMNS as readonly string[]).includes(c));
        if (unknown.length) throw new Error(`unknown field ${unknown.join(", ")}`);
        fields = Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, v === null ? "" : String(v)]));
      }
      rows.push({ line, receipt: toReceipt(fields, ctx) });
    } catch (e) {
      if (e instanceof HeaderError) throw e;
      rows.push({ line, error: e instanceof Error ? e.message : String(e) });
    }
  });
  if (format === "csv" && !header) throw new HeaderError("the file has no header line");
  return rows;
}

/** The file's header is unusable: nothing in it can be read. */
export class HeaderError extends Error {}
