import fs from "node:fs";
import type { Ack, ReceiptJson } from "@repayproof/verifier";

/** One line of the output file: a row's receipt as signed, and the Ack that acknowledged it (checked). */
export interface AckRecord {
  line: number;
  digest: string;
  status: string;
  ack: Ack;
  receipt: ReceiptJson;
  signature: string;
}

/**
 * The digests already acknowledged in `file` (a JSON Lines file this command wrote; absent = none). A last
 * line cut short by a crash (no newline, or not JSON) is removed, so appending continues cleanly.
 */
export function readAcknowledged(file: string): Set<string> {
  const done = new Set<string>();
  if (!fs.existsSync(file)) return done;
  const text = fs.readFileSync(file, "utf8");
  let kept = 0;
  let at = 0;
  while (at < text.length) {
    const nl = text.indexOf("\n", at);
    if (nl < 0) break; // a torn last line
    const line = text.slice(at, nl);
    try {
      const rec = JSON.parse(line) as Partial<AckRecord>;
      if (typeof rec.digest !== "string") break;
      done.add(rec.digest.toLowerCase());
    } catch {
      break;
    }
    at = nl + 1;
    kept = at;
  }
  if (kept < Buffer.byteLength(text)) fs.truncateSync(file, Buffer.byteLength(text.slice(0, kept)));
  return done;
}

/** Appends records to `file`, one JSON line each, in one write. */
export function appendRecords(file: string, records: readonly AckRecord[]): void {
  if (records.length === 0) return;
  fs.appendFileSync(file, records.map((r) => JSON.stringify(r) + "\n").join(""));
}
