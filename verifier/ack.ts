import { TypedDataEncoder } from "ethers";
import { ACCESS_TYPES, ACK_TYPES } from "./eip712";
import { fromHex } from "./hex";
import { keccak256 } from "./keccak";
import { typedDataDigest } from "./receipt";

/** An Ack: the operator's signed promise that the receipt `digest` will be anchored by `anchorBy`. */
export interface Ack {
  acceptedAt: number;
  anchorBy: number;
  signature: string;
}

const ACK_TYPEHASH = keccak256(Buffer.from(TypedDataEncoder.from(ACK_TYPES).encodeType("Ack"), "utf8"));
const ACCESS_TYPEHASH = keccak256(Buffer.from(TypedDataEncoder.from(ACCESS_TYPES).encodeType("Access"), "utf8"));

function word(n: number | bigint): string {
  return n.toString(16).padStart(64, "0");
}

/** EIP-712 digest of `Ack(bytes32 digest,uint64 acceptedAt,uint64 anchorBy)` in the receipt domain. */
export function ackDigest(domainSeparator: string, digest: string, acceptedAt: number, anchorBy: number): Buffer {
  const struct = Buffer.concat([ACK_TYPEHASH, fromHex(digest), Buffer.from(word(acceptedAt) + word(anchorBy), "hex")]);
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
