import secp256k1 from "secp256k1";
import { domainSeparator, keccakReady, receiptDomain, receiptToJson } from "@repayproof/verifier";
import { preprocess, type PreprocessContext } from "../../service/ingest/preprocess";
import { figure, median, ratioRuns } from "./measure";
import { log, type BenchOptions } from "./options";
import type { Row } from "./report";
import { CHAIN_ID, randomKeys, signReceipts } from "./signedReceipts";

const ITEMS = 500;

/**
 * CPU µs per call of `fn` (this process, every thread: garbage collection on V8's helper threads counts),
 * calling it until `cpuSeconds` of CPU have gone: CPU time, unlike the wall clock, is not stretched when
 * other work shares the cores.
 */
function cpuPerCall(fn: () => unknown, cpuSeconds: number): number {
  const start = process.cpuUsage();
  for (let calls = 1; ; calls++) {
    fn();
    const d = process.cpuUsage(start);
    if (d.user + d.system >= cpuSeconds * 1e6) return (d.user + d.system) / calls;
  }
}

/**
 * The ingest worker's share of a receipt on one thread, without HTTP, LevelDB or the message to the main
 * thread: `preprocess` of a body of 500 signed items (JSON, strict parsing, digest, recovery, the record),
 * in CPU µs per receipt, against the one libsecp256k1 call it cannot avoid (ecdsaRecover), interleaved.
 */
export async function preprocessSuite(opts: BenchOptions): Promise<Row[]> {
  await keccakReady();
  const anchor = "0x" + "11".repeat(20);
  const ctx: PreprocessContext = { domainSeparator: domainSeparator(receiptDomain(CHAIN_ID, anchor)) };
  const signed = signReceipts(ITEMS, anchor, randomKeys(4));
  const body = Buffer.from(
    JSON.stringify({ items: signed.map((s) => ({ receipt: receiptToJson(s.receipt), signature: s.signature })) }),
  );
  const sigs = signed.map((s) => Buffer.from(s.signature.slice(2), "hex"));
  const msgs = signed.map((s) => Buffer.from(s.digest.slice(2), "hex"));
  const check = preprocess(body, ctx);
  if ("error" in check || check.items.some((x) => "error" in x)) throw new Error("bench: preprocess refused an item");
  const ours = (): unknown => preprocess(body, ctx);
  const bare = (): void => {
    for (let i = 0; i < ITEMS; i++) {
      const s = sigs[i] as Buffer;
      secp256k1.ecdsaRecover(s.subarray(0, 64), (s[64] as number) - 27, msgs[i] as Buffer, false);
    }
  };
  const seconds = Math.max(opts.rateSeconds, 0.2);
  cpuPerCall(ours, 0.1);
  cpuPerCall(bare, 0.1);
  const o: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < opts.runs; r++) {
    o.push(cpuPerCall(ours, seconds) / ITEMS);
    b.push(cpuPerCall(bare, seconds) / ITEMS);
  }
  log(`preprocess: ${median(o).toFixed(1)} µs/receipt, bare ecdsaRecover ${median(b).toFixed(1)} µs`);
  const oursFig = figure(o, "µs");
  const bareFig = figure(b, "µs");
  return [
    {
      suite: "preprocess (the worker's share), per receipt",
      size: `body of ${ITEMS} items, 1 thread`,
      ours: { label: "preprocess()", figure: oursFig },
      reference: { label: "bare ecdsaRecover", figure: bareFig },
      ratio: { runs: ratioRuns(oursFig, bareFig), label: "× the recovery" },
      note: "in the bench process, no HTTP, LevelDB or message to the main thread: JSON.parse of the body, strict receipt parsing, the EIP-712 digest, recovery compared with the attester, and the stored record's head; the bare recovery is libsecp256k1's ecdsaRecover over the same signatures, run after it in each run; both in CPU time of the bench process (process.cpuUsage: GC helper threads included)",
    },
  ];
}
