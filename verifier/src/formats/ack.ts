import { ACCESS_TYPES, ACK_BATCH_TYPES, ACK_TYPES, typeHash } from "./eip712";
import { fromHex } from "./hex";
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
