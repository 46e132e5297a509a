import {
  ackBatchDigest,
  ackDigest,
  parseAck,
  recoverAddress,
  sameAddress,
  verifyProof,
  type Ack,
} from "@repayproof/verifier";
import { RepayProofError } from "./errors";

/**
 * Checks one Ack locally, with the verifier's formats: a single Ack is the operator's signature of
 * `Ack(digest, acceptedAt, anchorBy)`; a batch Ack's proof leads from this digest's leaf to `root` and the
 * operator signed `AckBatch(root, acceptedAt, anchorBy)`. Batch signatures are recovered once per request
 * (`seen`). Throws BAD_ACK; returns the parsed Ack.
 */
export function checkAck(
  raw: unknown,
  digest: string,
  separator: string,
  operator: string,
  seen: Map<string, string>,
): Ack {
  let ack: Ack;
  try {
    ack = parseAck(raw, "ack");
  } catch (e) {
    throw new RepayProofError("BAD_ACK", `${digest}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (ack.anchorBy < ack.acceptedAt) throw new RepayProofError("BAD_ACK", `${digest}: anchorBy before acceptedAt`);
  let signer: string;
  try {
    if (ack.root === undefined || ack.proof === undefined) {
      signer = recoverAddress(ackDigest(separator, digest, ack.acceptedAt, ack.anchorBy), ack.signature);
    } else {
      if (!verifyProof(ack.root, digest, ack.proof)) {
        throw new RepayProofError("BAD_ACK", `${digest}: the Ack's proof does not lead to its root ${ack.root}`);
      }
      const key = `${ack.root}:${ack.acceptedAt}:${ack.anchorBy}:${ack.signature}`;
      signer =
        seen.get(key) ??
        recoverAddress(ackBatchDigest(separator, ack.root, ack.acceptedAt, ack.anchorBy), ack.signature);
      seen.set(key, signer);
    }
  } catch (e) {
    if (e instanceof RepayProofError) throw e;
    throw new RepayProofError("BAD_ACK", `${digest}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!sameAddress(signer, operator)) {
    throw new RepayProofError("BAD_ACK", `${digest}: the Ack is signed by ${signer}, not the operator ${operator}`);
  }
  return ack;
}
