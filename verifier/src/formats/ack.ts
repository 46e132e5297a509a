import { ACCESS_TYPES, ACK_BATCH_TYPES, ACK_TYPES, typeHash } from "./eip712";
import { fromHex } from "./hex";
import { bytes32, fail, object, proof, signature, uint } from "./parseFields";
import { keccak256 } from "../crypto/keccak";
import { typedDataDigest } from "./receipt";

/**
 * An Ack: the operator's signed promise that the receipt `digest` will be anchored by `anchorBy`. Either a
 * single Ack (`Ack(digest, acceptedAt, anchorBy)` signed) or, v0.2, a share of a batch Ack: `AckBatch(root,
 * acceptedAt, anchorBy)` signed once for every receipt of one request, `root` the StandardMerkleTree root of
 * their digests and `proof` this digest's path to it (DESIGN.md, "Acknowledgements").
 */
export interface Ack {
  acceptedAt: number;
  anchorBy: number;
  signature: string;
  root?: string;
  proof?: string[];
}

/**
 * Parses an untrusted Ack at `field` (`ack`, `events[3].ack`): `{ acceptedAt, anchorBy, signature }`, or since
 * v0.2 the same with `root` and `proof` (a share of an AckBatch). Both or neither of `root` and `proof`: half
 * a batch Ack could be read as a single Ack whose signature then fails, hiding what was wrong.
 */
export function parseAck(v: unknown, field: string): Ack {
  const a = object(v, field, ["acceptedAt", "anchorBy", "signature"], ["root", "proof"]);
  const ack: Ack = {
    acceptedAt: uint(a.acceptedAt, `${field}.acceptedAt`, Number.MAX_SAFE_INTEGER),
    anchorBy: uint(a.anchorBy, `${field}.anchorBy`, Number.MAX_SAFE_INTEGER),
    signature: signature(a.signature, `${field}.signature`),
  };
  if (a.root === undefined && a.proof === undefined) return ack;
  if (a.root === undefined) fail(`${field}.root`, "missing: a batch Ack carries both root and proof");
  if (a.proof === undefined) fail(`${field}.proof`, "missing: a batch Ack carries both root and proof");
  return { ...ack, root: bytes32(a.root, `${field}.root`), proof: proof(a.proof, `${field}.proof`) };
}

/** The JSON form of an Ack (a copy: `root` and `proof` only for a batch Ack). */
export function ackToJson(a: Ack): Ack {
  const json: Ack = { acceptedAt: a.acceptedAt, anchorBy: a.anchorBy, signature: a.signature };
  if (a.root !== undefined && a.proof !== undefined) {
    json.root = a.root;
    json.proof = [...a.proof];
  }
  return json;
}

const ACK_TYPEHASH = typeHash(ACK_TYPES, "Ack");
const ACK_BATCH_TYPEHASH = typeHash(ACK_BATCH_TYPES, "AckBatch");
const ACCESS_TYPEHASH = typeHash(ACCESS_TYPES, "Access");

function word(n: number | bigint): string {
  return n.toString(16).padStart(64, "0");
}

/** EIP-712 digest of `Ack(bytes32 digest,uint64 acceptedAt,uint64 anchorBy)` in the receipt domain. */
export function ackDigest(domainSeparator: string, digest: string, acceptedAt: number, anchorBy: number): Buffer {
  const struct = Buffer.concat([ACK_TYPEHASH, fromHex(digest), Buffer.from(word(acceptedAt) + word(anchorBy), "hex")]);
  return typedDataDigest(domainSeparator, keccak256(struct));
}

/** EIP-712 digest of `AckBatch(bytes32 root,uint64 acceptedAt,uint64 anchorBy)` in the receipt domain. */
export function ackBatchDigest(domainSeparator: string, root: string, acceptedAt: number, anchorBy: number): Buffer {
  const struct = Buffer.concat([
    ACK_BATCH_TYPEHASH,
    fromHex(root),
    Buffer.from(word(acceptedAt) + word(anchorBy), "hex"),
  ]);
  return typedDataDigest(domainSeparator, keccak256(struct));
}

/** EIP-712 digest of `Access(address party,uint64 expiresAt)` in the receipt domain (bearer tokens). */
export function accessDigest(domainSeparator: string, party: string, expiresAt: number): Buffer {
  const struct = Buffer.concat([
    ACCESS_TYPEHASH,
    Buffer.from(party.slice(2).toLowerCase().padStart(64, "0") + word(expiresAt), "hex"),
  ]);
  return typedDataDigest(domainSeparator, keccak256(struct));
}
