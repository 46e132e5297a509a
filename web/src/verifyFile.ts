import {
  createVerifierCache,
  malformedResult,
  verifyReceiptBundle,
  verifyTimelineBundle,
  type TimelineVerifyResult,
  type VerifierCache,
  type VerifyResult,
} from "@repayproof/verifier";
import { FetchRequest, JsonRpcProvider, Network } from "ethers";

/** Largest file read: a timeline of 10,000 events is a few MB; anything much larger is not a proof file. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

const RECEIPT_FORMAT = "repayproof/receipt-proof@1";
const TIMELINE_FORMAT = "repayproof/timeline@1";

export type Outcome =
  | { kind: "receipt"; result: VerifyResult; json: unknown }
  | { kind: "timeline"; result: TimelineVerifyResult; json: unknown }
  /** Not a RepayProof file at all (not JSON, too large, unknown format): said in `reason`. */
  | { kind: "unreadable"; result: VerifyResult; reason: "notJson" | "tooLarge" | "unknownFormat" };

export interface Chain {
  chainId: bigint;
  provider: JsonRpcProvider;
  cache: VerifierCache;
  close(): void;
}

/** Connects to the RPC once (eth_chainId, 10 s), so a dead URL is one clear error, not endless retries. */
export async function connect(url: string): Promise<Chain> {
  const req = new FetchRequest(url);
  req.timeout = 10_000;
  req.body = { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] };
  req.setHeader("content-type", "application/json");
  const res = await req.send();
  res.assertOk();
  const result = (res.bodyJson as { result?: unknown }).result;
  if (typeof result !== "string") throw new Error("eth_chainId returned no chain id");
  return chainAt(url, BigInt(result));
}

/** A connection to an RPC whose chain id is already known (a worker's, after {@link connect} on the page). */
export function chainAt(url: string, chainId: bigint): Chain {
  const provider = new JsonRpcProvider(url, Network.from(chainId), { staticNetwork: true });
  return { chainId, provider, cache: createVerifierCache(), close: () => provider.destroy() };
}

/** Reads a file's text, refusing what is too large before reading it. */
export async function readText(file: Blob): Promise<string | undefined> {
  if (file.size > MAX_FILE_BYTES) return undefined;
  return file.text();
}

/**
 * Verifies one file's text with the verifier's own code, against `chain`: a receipt bundle or a timeline,
 * told apart by its `format` field. Never throws: a file that is not JSON, too large or of an unknown
 * format is an unreadable outcome whose FORMAT check fails.
 */
export async function verifyText(
  text: string | undefined,
  chain: Chain,
  contracts: { anchor?: string; registry?: string },
): Promise<Outcome> {
  if (text === undefined) return { kind: "unreadable", reason: "tooLarge", result: malformedResult("too large") };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { kind: "unreadable", reason: "notJson", result: malformedResult(`not JSON: ${(e as Error).message}`) };
  }
  const format = typeof json === "object" && json !== null ? (json as { format?: unknown }).format : undefined;
  const options = { provider: chain.provider, cache: chain.cache, contracts };
  if (format === TIMELINE_FORMAT) return { kind: "timeline", json, result: await verifyTimelineBundle(json, options) };
  if (format === RECEIPT_FORMAT) return { kind: "receipt", json, result: await verifyReceiptBundle(json, options) };
  return { kind: "unreadable", reason: "unknownFormat", result: malformedResult(`unknown format ${String(format)}`) };
}
