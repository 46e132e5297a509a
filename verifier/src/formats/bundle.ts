import { ackToJson, parseAck, type Ack } from "./ack";
import {
  address,
  bytes32,
  fail,
  MAX_PROOF_LENGTH,
  MAX_SIGNATURE_BYTES,
  MAX_UINT32,
  object,
  proof,
  signature,
  uint,
} from "./parseFields";
import { parseReceipt, receiptToJson, type Receipt, type ReceiptJson } from "./receipt";

/** The one bundle format this verifier understands (DESIGN.md, "Receipt proof bundle"). */
export const BUNDLE_FORMAT = "repayproof/receipt-proof@1";
/** Deepest proof accepted (a tree of 2^64 leaves) and largest signature (ERC-1271 wallets may use more than 65 bytes). */
export { MAX_PROOF_LENGTH, MAX_SIGNATURE_BYTES };

/** Where the receipt's batch was anchored, as the bundle claims it (the verifier re-reads it from the chain). */
export interface BundleBatch {
  stream: string;
  seq: number;
  root: string;
  count: number;
  txHash: string;
  blockNumber: number;
}

/** A parsed, shape-checked `repayproof/receipt-proof@1` bundle. Nothing in it is trusted yet. */
export interface ReceiptBundle {
  format: typeof BUNDLE_FORMAT;
  chainId: number;
  contracts: { registry: string; anchor: string };
  receipt: Receipt;
  signature: string;
  digest: string;
  batch: BundleBatch;
  proof: string[];
  ack?: Ack;
}

/** The JSON form of a bundle (what the service serves and what files hold). */
export interface ReceiptBundleJson {
  format: string;
  chainId: number;
  contracts: { registry: string; anchor: string };
  receipt: ReceiptJson;
  signature: string;
  digest: string;
  batch: BundleBatch;
  proof: string[];
  ack?: Ack;
}

/**
 * Parses an untrusted bundle (any JSON value). Every field is checked for presence, type, hex length and
 * integer range; unknown fields are refused at every level. The Ack may be a single Ack or (v0.2) a share of
 * a batch Ack with `root` and `proof` (formats/ack.ts). Throws {@link InvalidArgumentError}
 * (`INVALID_FIELD`) naming the first bad field; never returns a half-checked bundle.
 */
export function parseBundle(json: unknown): ReceiptBundle {
  const o = object(
    json,
    "bundle",
    ["format", "chainId", "contracts", "receipt", "signature", "digest", "batch", "proof"],
    ["ack"],
  );
  if (o.format !== BUNDLE_FORMAT) fail("format", `expected "${BUNDLE_FORMAT}"`);
  const chainId = uint(o.chainId, "chainId", Number.MAX_SAFE_INTEGER, 1);
  const c = object(o.contracts, "contracts", ["registry", "anchor"]);
  const contracts = {
    registry: address(c.registry, "contracts.registry"),
    anchor: address(c.anchor, "contracts.anchor"),
  };
  const receipt = parseReceipt(o.receipt, "receipt");
  const sig = signature(o.signature, "signature");
  const digest = bytes32(o.digest, "digest");
  const b = object(o.batch, "batch", ["stream", "seq", "root", "count", "txHash", "blockNumber"]);
  const batch: BundleBatch = {
    stream: bytes32(b.stream, "batch.stream"),
    seq: uint(b.seq, "batch.seq", Number.MAX_SAFE_INTEGER),
    root: bytes32(b.root, "batch.root"),
    count: uint(b.count, "batch.count", MAX_UINT32, 1),
    txHash: bytes32(b.txHash, "batch.txHash"),
    blockNumber: uint(b.blockNumber, "batch.blockNumber", Number.MAX_SAFE_INTEGER),
  };
  const bundle: ReceiptBundle = {
    format: BUNDLE_FORMAT,
    chainId,
    contracts,
    receipt,
    signature: sig,
    digest,
    batch,
    proof: proof(o.proof, "proof"),
  };
  if (o.ack !== undefined) bundle.ack = parseAck(o.ack, "ack");
  return bundle;
}

/** The JSON form of a bundle (decimal strings for `amount` and `nonce`), e.g. to serve or write it. */
export function bundleToJson(b: ReceiptBundle): ReceiptBundleJson {
  const json: ReceiptBundleJson = {
    format: b.format,
    chainId: b.chainId,
    contracts: { ...b.contracts },
    receipt: receiptToJson(b.receipt),
    signature: b.signature,
    digest: b.digest,
    batch: { ...b.batch },
    proof: [...b.proof],
  };
  if (b.ack) json.ack = ackToJson(b.ack);
  return json;
}
