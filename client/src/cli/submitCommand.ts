import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { Wallet } from "ethers";
import { isBytes32 } from "@repayproof/verifier";
import { RepayProofClient } from "../client";
import { RepayProofError } from "../errors";
import type { SignedItem } from "../receipts";
import { appendRecords, readAcknowledged, type AckRecord } from "./ackLog";
import { HeaderError, parseBatchFile } from "./batchFile";
import type { CliIo } from "./io";
import { rowNonce } from "./rowNonce";

export const SUBMIT_USAGE =
  "repayproof submit <file.csv|file.jsonl> --key-file <key> --salt-file <salt> [--agreement <id>] [--url <service>] [--out <acks.jsonl>] [--password-file <file>] [--concurrency N]";

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  "key-file": { type: "string" },
  "password-file": { type: "string" },
  "salt-file": { type: "string" },
  agreement: { type: "string" },
  url: { type: "string" },
  out: { type: "string" },
  concurrency: { type: "string" },
} as const;

class Usage extends Error {}

/** The signing key: a file holding a 0x-hex private key, or an encrypted JSON keystore and its password file. */
async function readKey(keyFile: string, passwordFile: string | undefined): Promise<Wallet> {
  const text = fs.readFileSync(keyFile, "utf8").trim();
  if (/^0x[0-9a-fA-F]{64}$/.test(text)) return new Wallet(text);
  if (passwordFile === undefined) throw new Usage("the key file is not a 0x-hex key; a keystore needs --password-file");
  const password = fs.readFileSync(passwordFile, "utf8").replace(/\r?\n$/, "");
  return (await Wallet.fromEncryptedJson(text, password)) as Wallet;
}

/**
 * `repayproof submit`: a channel's or collector's daily file (docs/batch-files.md) as signed receipts.
 * Rows become receipts (loan ids from `loanRef` and the salt, nonces from the row), bad rows are reported by
 * line and never sent, rows already in the output file are skipped, the rest are submitted in requests of
 * 1000 with every Ack checked and appended to the output file. Exit 0 all acknowledged, 1 some row bad or
 * refused, 2 usage or a failure that stopped the run (re-run it: nothing is submitted twice).
 */
export async function submitCommand(args: string[], io: CliIo): Promise<number> {
  let v;
  try {
    v = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    io.err(`repayproof submit: ${(e as Error).message}\nusage: ${SUBMIT_USAGE}`);
    return 2;
  }
  if (v.values.help) {
    io.out(`usage: ${SUBMIT_USAGE}\n(docs/batch-files.md: columns, nonces, output file)`);
    return 0;
  }
  try {
    return await run(v.positionals, v.values, io);
  } catch (e) {
    const usage = e instanceof Usage || e instanceof HeaderError;
    io.err(`repayproof submit: ${(e as Error).message}${usage ? `\nusage: ${SUBMIT_USAGE}` : ""}`);
    return 2;
  }
}

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]["type"] extends "boolean" ? boolean : string };

async function run(positionals: string[], o: Values, io: CliIo): Promise<number> {
  if (positionals.length !== 1) throw new Usage("give exactly one file");
  const file = positionals[0] as string;
  const ext = path.extname(file).toLowerCase();
  const format = ext === ".csv" ? "csv" : ext === ".jsonl" || ext === ".ndjson" ? "jsonl" : undefined;
  if (!format) throw new Usage("the file must end in .csv or .jsonl");
  if (!o["key-file"]) throw new Usage("--key-file is required");
  if (!o["salt-file"]) throw new Usage("--salt-file is required (the loan-commitment salt, 0x and 64 hex digits)");
  const salt = fs
    .readFileSync(o["salt-file"] as string, "utf8")
    .trim()
    .toLowerCase();
  if (!isBytes32(salt)) throw new Usage("the salt file must hold 0x and 64 hex digits");
  if (o.agreement !== undefined && !isBytes32(o.agreement.toLowerCase()))
    throw new Usage("--agreement must be bytes32");
  const concurrency = Number(o.concurrency ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16)
    throw new Usage("--concurrency is 1 to 16");
  const out = o.out ?? `${file}.acks.jsonl`;
  const wallet = await readKey(o["key-file"] as string, o["password-file"] as string | undefined);
  const url = (o.url ?? "http://127.0.0.1:8080").replace(/\/+$/, "");
  const ctx = o.agreement === undefined ? { salt } : { salt, agreementId: o.agreement.toLowerCase() };
  const rows = parseBatchFile(fs.readFileSync(file, "utf8"), format, ctx);

  const client = new RepayProofClient({ url, signer: wallet });
  const bad: { line: number; why: string }[] = [];
  const byNonce = new Map<bigint, number>();
  const todo: { line: number; item: SignedItem }[] = [];
  const done = readAcknowledged(out);
  let skipped = 0;
  for (const row of rows) {
    if ("error" in row) {
      bad.push({ line: row.line, why: row.error });
      continue;
    }
    const nonce = rowNonce(row.receipt, wallet.address);
    const first = byNonce.get(nonce);
    if (first !== undefined) {
      bad.push({ line: row.line, why: `the same receipt as line ${first}` });
      continue;
    }
    byNonce.set(nonce, row.line);
    try {
      const [item] = await client.sign([{ ...row.receipt, nonce }]);
      if (done.has((item as SignedItem).digest)) skipped++;
      else todo.push({ line: row.line, item: item as SignedItem });
    } catch (e) {
      if (!(e instanceof RepayProofError)) throw e;
      bad.push({ line: row.line, why: e.message });
    }
  }
  const total = todo.length;
  io.err(
    `${path.basename(file)}: ${rows.length} rows, ${bad.length} bad, ${skipped} already in ${out}, ${total} to submit`,
  );
  const started = Date.now();
  let sent = 0;
  let lastLine = 0;
  const progress = (final = false): void => {
    const s = (Date.now() - started) / 1000;
    const line = `submitted ${sent}/${total} (${Math.round((100 * sent) / Math.max(1, total))}%), ${bad.length} bad, ${s > 0 ? Math.round(sent / s) : 0}/s`;
    if (io.progress && !final) io.progress(line);
    else if (final || Date.now() - lastLine >= 2000) {
      if (io.progress) io.progress("");
      io.err(line);
      lastLine = Date.now();
    }
  };
  let next = 0;
  let refused = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const chunk = todo.slice(next, next + 1000);
      next += chunk.length;
      const results = await client.submitSigned(
        chunk.map((c) => c.item),
        { partial: true, concurrency: 1 },
      );
      const records: AckRecord[] = [];
      results.forEach((r, k) => {
        const line = (chunk[k] as { line: number }).line;
        if (r.ok)
          records.push({
            line,
            digest: r.digest,
            status: r.status,
            ack: r.ack,
            receipt: r.receipt,
            signature: r.signature,
          });
        else {
          refused++;
          bad.push({ line, why: `refused by the service: ${r.error.message}` });
        }
      });
      appendRecords(out, records);
      sent += chunk.length;
      progress();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, Math.ceil(total / 1000))) }, worker));
  progress(true);
  bad.sort((a, b) => a.line - b.line);
  for (const b of bad) io.err(`line ${b.line}: ${b.why}`);
  const acked = total - refused;
  io.out(
    `${rows.length} rows: ${acked + skipped} acknowledged (${skipped} earlier), ${bad.length} bad; acks in ${out}`,
  );
  return bad.length > 0 ? 1 : 0;
}
