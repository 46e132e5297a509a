import { ackBatchDigest, ackDigest, type Ack } from "./ack";
import { array, bytes32, fail, object, signature, uint } from "./parseFields";
import { toHex } from "./hex";
import { verifyProof } from "../merkle/merkle";

/** Deepest batch-Ack proof accepted (a request holds at most a few thousand receipts). */
const MAX_ACK_PROOF = 64;

/** Parses an untrusted Ack: `{acceptedAt, anchorBy, signature}`, or with `root` and `proof` (a batch Ack's share). */
export function parseAck(v: unknown, field: string): Ack {
  const a = object(v, field, ["acceptedAt", "anchorBy", "signature"], ["root", "proof"]);
  const ack: Ack = {
    acceptedAt: uint(a.acceptedAt, `${field}.acceptedAt`, Number.MAX_SAFE_INTEGER),
    anchorBy: uint(a.anchorBy, `${field}.anchorBy`, Number.MAX_SAFE_INTEGER),
    signature: signature(a.signature, `${field}.signature`),
  };
  if ((a.root === undefined) !== (a.proof === undefined)) fail(`${field}.root`, "root and proof come together");
  if (a.root !== undefined) {
    ack.root = bytes32(a.root, `${field}.root`);
    ack.proof = array(a.proof, `${field}.proof`, MAX_ACK_PROOF).map((p, i) => bytes32(p, `${field}.proof[${i}]`));
  }
  return ack;
}

/**
 * The EIP-712 digest the operator signed for this Ack of `digest`: `Ack(digest, …)`, or for a batch Ack
 * `AckBatch(root, …)` — undefined when the batch Ack's proof does not lead from `digest` to its root.
 */
export function ackSigningDigest(domainSeparator: string, digest: string, ack: Ack): string | undefined {
  if (ack.root === undefined) return toHex(ackDigest(domainSeparator, digest, ack.acceptedAt, ack.anchorBy));
  if (!verifyProof(ack.root, digest, ack.proof ?? [])) return undefined;
  return toHex(ackBatchDigest(domainSeparator, ack.root, ack.acceptedAt, ack.anchorBy));
}
