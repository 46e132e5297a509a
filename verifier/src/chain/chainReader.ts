import { Interface, isError, type Provider, type Result } from "ethers";
import type { AgreementVersion } from "../formats/terms";
import { ChainReadError } from "./ChainReadError";

export { ChainReadError };

/**
 * The few on-chain reads the verifier makes, over any ethers v6 `Provider` (a JSON-RPC URL, Hardhat's
 * in-process provider). Only the functions used are in the ABIs, so the verifier needs no build artifacts.
 */
const ANCHOR_ABI = new Interface([
  "function registry() view returns (address)",
  "function anchorOf(bytes32 root) view returns (bytes32 stream, uint64 seq, uint32 count, uint64 timestamp, uint64 blockNumber)",
  "function operatorOf(bytes32 stream) view returns (address)",
  "function nextSeq(bytes32 stream) view returns (uint64)",
  "event BatchAnchored(bytes32 indexed stream, uint64 indexed seq, bytes32 indexed root, uint32 count, bytes32 stateRoot)",
]);
const REGISTRY_ABI = new Interface([
  "function isAuthorized(bytes32 agreementId, address attester, uint8 kind, uint64 timestamp) view returns (bool)",
  "function latestVersion(bytes32 agreementId) view returns (uint32)",
  "function termsOf(bytes32 agreementId, uint32 version) view returns (tuple(address platform, address funder, address collector, address guarantor, address[] channels, uint32 graceSecs, uint32 settleSecs, uint32 forwardSecs, uint32 confirmSecs, uint32 reportSecs, bytes32 disclosureHash) terms, uint64 effectiveAt, uint64 blockNumber)",
]);
const ERC1271_ABI = new Interface(["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"]);
const ERC1271_MAGIC = "0x1626ba7e";

function classify(e: unknown, what: string): ChainReadError {
  if (e instanceof ChainReadError) return e;
  const message = e instanceof Error ? e.message : String(e);
  // ethers reports reverts as CALL_EXCEPTION; Hardhat's in-process provider throws its own errors that
  // carry revert data or say so. Anything else (refused connection, timeout, 5xx) is the RPC's failure.
  const reverted =
    isError(e, "CALL_EXCEPTION") ||
    (typeof e === "object" && e !== null && "data" in e) ||
    /revert|invalid opcode/i.test(message);
  return new ChainReadError(reverted ? "revert" : "transport", `${what}: ${message.split("\n")[0]}`, e);
}

async function call(provider: Provider, to: string, iface: Interface, fn: string, args: unknown[]): Promise<Result> {
  let data: string;
  try {
    data = await provider.call({
      to,
      data: iface.encodeFunctionData(fn, args),
    });
  } catch (e) {
    throw classify(e, `${fn} at ${to}`);
  }
  try {
    return iface.decodeFunctionResult(fn, data);
  } catch (e) {
    // A contract that answers with the wrong shape is not the contract we think it is.
    throw new ChainReadError("revert", `${fn} at ${to} returned an undecodable answer`, e);
  }
}

async function rpc<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw classify(e, what);
  }
}

/** The chain id the provider is connected to. */
export function readChainId(provider: Provider): Promise<bigint> {
  return rpc("chainId", async () => (await provider.getNetwork()).chainId);
}

/** Whether `address` holds contract code. */
export function hasCode(provider: Provider, address: string): Promise<boolean> {
  return rpc(`code of ${address}`, async () => (await provider.getCode(address)) !== "0x");
}

/** The latest block number. */
export function readBlockNumber(provider: Provider): Promise<number> {
  return rpc("blockNumber", () => provider.getBlockNumber());
}

/** The latest block's timestamp: the chain's "now", which deadlines are judged against. */
export function readLatestBlockTime(provider: Provider): Promise<number> {
  return rpc("latest block", async () => {
    const block = await provider.getBlock("latest");
    if (block === null) throw new Error("the RPC returned no latest block");
    return block.timestamp;
  });
}

/** `ReceiptAnchor.registry()`. */
export async function readAnchorRegistry(provider: Provider, anchor: string): Promise<string> {
  return (await call(provider, anchor, ANCHOR_ABI, "registry", []))[0] as string;
}

/** `ReceiptAnchor.anchorOf(root)`: timestamp 0 when the root is not anchored. */
export interface AnchorRecord {
  stream: string;
  seq: number;
  count: number;
  timestamp: number;
  blockNumber: number;
}

export async function readAnchorOf(provider: Provider, anchor: string, root: string): Promise<AnchorRecord> {
  const r = await call(provider, anchor, ANCHOR_ABI, "anchorOf", [root]);
  return {
    stream: (r[0] as string).toLowerCase(),
    seq: Number(r[1] as bigint),
    count: Number(r[2] as bigint),
    timestamp: Number(r[3] as bigint),
    blockNumber: Number(r[4] as bigint),
  };
}

/**
 * The loan state root the chain emitted for batch `seq` of `stream` (`BatchAnchored`, v0.2), or undefined
 * when no such anchor is in the chain (never anchored, or reorged away). State roots are not in storage:
 * this reads logs, so the RPC must serve logs from the anchor's block.
 */
export async function readStateRootAt(
  provider: Provider,
  anchor: string,
  stream: string,
  seq: number,
): Promise<{ stateRoot: string; root: string; blockNumber: number } | undefined> {
  const ev = ANCHOR_ABI.getEvent("BatchAnchored")!;
  let logs: Awaited<ReturnType<Provider["getLogs"]>>;
  try {
    const topics = [ev.topicHash, stream.toLowerCase(), "0x" + seq.toString(16).padStart(64, "0")];
    logs = await provider.getLogs({ address: anchor, topics, fromBlock: 0, toBlock: "latest" });
  } catch (e) {
    throw classify(e, "BatchAnchored logs");
  }
  const log = logs.at(-1);
  if (log === undefined) return undefined;
  const decoded = ANCHOR_ABI.decodeEventLog(ev, log.data, log.topics);
  const stateRoot = (decoded[4] as string).toLowerCase();
  return { stateRoot, root: (log.topics[3] ?? "").toLowerCase(), blockNumber: log.blockNumber };
}

/** `ReceiptAnchor.operatorOf(stream)`: the zero address for an unopened stream. */
export async function readOperatorOf(provider: Provider, anchor: string, stream: string): Promise<string> {
  return (await call(provider, anchor, ANCHOR_ABI, "operatorOf", [stream]))[0] as string;
}

/** `ReceiptAnchor.nextSeq(stream)`: the sequence number the stream's next batch must carry. */
export async function readNextSeq(provider: Provider, anchor: string, stream: string): Promise<number> {
  return Number((await call(provider, anchor, ANCHOR_ABI, "nextSeq", [stream]))[0] as bigint);
}

/** `AgreementRegistry.isAuthorized(agreementId, attester, kind, timestamp)`. */
export async function readIsAuthorized(
  provider: Provider,
  registry: string,
  agreementId: string,
  attester: string,
  kind: number,
  timestamp: number,
): Promise<boolean> {
  return (
    await call(provider, registry, REGISTRY_ABI, "isAuthorized", [agreementId, attester, kind, timestamp])
  )[0] as boolean;
}

/**
 * ERC-1271 `isValidSignature(digest, signature)` on `wallet`: true only for the magic value. A revert or
 * a malformed answer is a refusal (as OpenZeppelin's `SignatureChecker` treats it); an RPC failure throws.
 */
export async function readIsValidErc1271(
  provider: Provider,
  wallet: string,
  digest: string,
  signature: string,
): Promise<boolean> {
  try {
    const r = await call(provider, wallet, ERC1271_ABI, "isValidSignature", [digest, signature]);
    return (r[0] as string).toLowerCase() === ERC1271_MAGIC;
  } catch (e) {
    if (e instanceof ChainReadError && e.kind === "revert") return false;
    throw e;
  }
}

/**
 * Every version of `agreementId` as `AgreementRegistry` records it (`latestVersion`, then `termsOf` for each),
 * in version order; undefined for an agreement the registry does not know. Addresses come back checksummed.
 */
export async function readAgreementVersions(
  provider: Provider,
  registry: string,
  agreementId: string,
): Promise<AgreementVersion[] | undefined> {
  const latest = Number((await call(provider, registry, REGISTRY_ABI, "latestVersion", [agreementId]))[0] as bigint);
  if (latest === 0) return undefined;
  const reads = Array.from({ length: latest }, (_, i) =>
    call(provider, registry, REGISTRY_ABI, "termsOf", [agreementId, i + 1]),
  );
  return (await Promise.all(reads)).map((r, i) => {
    const t = r[0] as Result;
    return {
      version: i + 1,
      effectiveAt: Number(r[1] as bigint),
      blockNumber: Number(r[2] as bigint),
      terms: {
        platform: t[0] as string,
        funder: t[1] as string,
        collector: t[2] as string,
        guarantor: t[3] as string,
        channels: [...(t[4] as Result)] as string[],
        graceSecs: Number(t[5] as bigint),
        settleSecs: Number(t[6] as bigint),
        forwardSecs: Number(t[7] as bigint),
        confirmSecs: Number(t[8] as bigint),
        reportSecs: Number(t[9] as bigint),
        disclosureHash: t[10] as string,
      },
    };
  });
}
