import type { JsonRpcProvider } from "ethers";
import type { VerifyResult } from "../checks/types";
import { createVerifierCache, verifyReceiptBundle } from "../verifyReceiptBundle";
import { BUNDLE_FORMAT } from "../formats/bundle";
import type { ChainArgs } from "./args";
import { formatProgress, formatResultLine, printable, printableJson, UNPINNED } from "./format";
import { connect, expand, firstLine, readProofFile, type Io } from "./io";

type FileResult = { file: string; result?: VerifyResult; ioError?: string };

/** Bundles in flight at once: they share JSON-RPC batches and hide latency. */
const IN_FLIGHT = 32;

const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

/**
 * `repayproof verify`: every bundle file (directories expanded) against the chain, one line each in input
 * order (or `--json`), then a summary. Exit 0 all valid, 1 something invalid, 2 an unreadable file, an
 * unreachable RPC or a check that could not run.
 */
export async function verifyCommand(a: ChainArgs, io: Io): Promise<number> {
  let files: string[];
  try {
    files = expand(a.paths);
  } catch (e) {
    io.err(`repayproof: ${printable(firstLine(e))}`);
    return 2;
  }
  let provider: JsonRpcProvider;
  try {
    provider = await connect(a.rpc);
  } catch (e) {
    io.err(`repayproof: cannot reach the RPC at ${printable(a.rpc)}: ${printable(firstLine(e))}`);
    return 2;
  }
  const cache = createVerifierCache();
  const contracts = { anchor: a.anchor, registry: a.registry };
  // The anchor pins the deployment (CHAIN checks that it uses the bundle's registry); without it a
  // look-alike deployment's bundles pass every check, and the output says so.
  const pinned = a.anchor !== undefined;
  const results: FileResult[] = new Array(files.length);
  const showProgress = !a.json && files.length > 20 && io.progress !== undefined;
  let done = 0;
  let printed = 0;
  const verifyOne = async (file: string): Promise<FileResult> => {
    const read = readProofFile(file, [BUNDLE_FORMAT]);
    if ("ioError" in read) return { file, ioError: read.ioError };
    return {
      file,
      result: await verifyReceiptBundle(read.json, { provider, confirmations: a.confirmations, contracts, cache }),
    };
  };
  // Lines still come out in input order, as soon as every earlier file is done.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      results[i] = await verifyOne(files[i] as string);
      done++;
      while (!a.json && printed < files.length && results[printed] !== undefined) {
        const r = results[printed++] as FileResult;
        if (showProgress) io.progress!("");
        io.out(
          r.result ? formatResultLine(r.file, r.result, pinned) : printable(`? error     ${r.file}  ${r.ioError}`),
        );
      }
      if (showProgress) io.progress!(formatProgress(done, files.length));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, files.length) }, worker));
  } finally {
    provider.destroy();
  }
  if (showProgress) io.progress!("");

  const count = (f: (r: FileResult) => boolean): number => results.filter(f).length;
  const summary = {
    total: files.length,
    valid: count((r) => r.result?.valid === true),
    invalid: count((r) => r.result !== undefined && !r.result.valid && !r.result.inconclusive),
    breaches: count((r) => r.result?.breach !== undefined),
    errors: count((r) => r.ioError !== undefined || r.result?.inconclusive === true),
    anchorLookups: cache.anchors.size,
  };
  if (a.json) {
    const out = results.map((r) =>
      r.result ? { file: r.file, ...r.result } : { file: r.file, error: { code: "IO_ERROR", message: r.ioError } },
    );
    io.out(printableJson({ pinned, results: out, summary }));
  } else {
    io.out(
      `${plural(summary.total, "bundle")}: ${summary.valid} valid, ${summary.invalid} invalid` +
        ` (${plural(summary.breaches, "operator breach", "operator breaches")}), ${plural(summary.errors, "error")}; ` +
        plural(summary.anchorLookups, "anchor lookup") +
        (pinned ? "" : `; ${UNPINNED}: no --anchor given, so a look-alike deployment would pass too`),
    );
  }
  if (summary.errors > 0) return 2;
  return summary.invalid > 0 ? 1 : 0;
}
