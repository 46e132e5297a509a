import { sameAddress } from "../crypto/signature";
import { ackBatchDigest, ackDigest, type Ack } from "../formats/ack";
import { toHex } from "../formats/hex";
import { ZERO_ADDRESS } from "../formats/terms";
import type { ChainReads } from "./chainReads";
import { failed, guard, passed, skipped, type Outcome } from "./checkLog";
import { isIncluded } from "./inclusion";
import { isSignedBy } from "./isSignedBy";
import type { OperatorBreach } from "./types";

/** What ACK fails with (besides RPC_ERROR and DEPENDENCY_FAILED). */
export type AckCode = "ACK_NOT_INCLUDED" | "BAD_ACK_SIGNATURE" | "OPERATOR_BREACH_LATE_ANCHOR";

/** What an Ack is judged on: the receipt's digest, its domain, and the stream whose operator must have signed. */
export interface AckSubject {
  ack: Ack;
  /** The recomputed receipt digest (DIGEST's, never the input's claim). */
  digest: string;
  domainSeparator: string;
  anchor: string;
  stream: string;
}

/**
 * When the promise to anchor by `anchorBy` is judged: at the chain's anchor time (`anchored`); or, for a
 * receipt not anchored (yet), at `now()` (the latest block's time for a receipt bundle, the timeline's
 * `asOf` for a pending event); or not at all when the anchor could not be established (`unknown`).
 */
export type AckDeadline =
  | { kind: "anchored"; at: number }
  | { kind: "unanchored"; now: () => Promise<number>; what: string }
  | { kind: "unknown" };

/** How ACK treats the special case of pending events. */
export interface AckOptions {
  /**
   * Skip (DEPENDENCY_FAILED) rather than fail when the stream has no operator on chain: streams open with
   * their first anchor, so before it nobody on chain can be held to a pending event's Ack.
   */
  skipUnopenedStream?: boolean;
}

/**
 * The digest the operator signed for this Ack: `Ack(digest, acceptedAt, anchorBy)`, or for a share of a
 * batch Ack `AckBatch(root, acceptedAt, anchorBy)` once the proof leads from the digest's leaf to `root`
 * (the receipt tree's leaf rule). Undefined when it does not.
 */
function signedDigest(s: AckSubject): string | undefined {
  const { ack } = s;
  if (ack.root === undefined || ack.proof === undefined) {
    return toHex(ackDigest(s.domainSeparator, s.digest, ack.acceptedAt, ack.anchorBy));
  }
  if (!isIncluded(ack.root, s.digest, ack.proof)) return undefined;
  return toHex(ackBatchDigest(s.domainSeparator, ack.root, ack.acceptedAt, ack.anchorBy));
}

/**
 * ACK: the Ack (single, or a share of a batch Ack) is signed by the stream's operator (ECDSA, or ERC-1271
 * when the operator is a contract), and the receipt was anchored by `anchorBy`. A late anchor fails with
 * `OPERATOR_BREACH_LATE_ANCHOR` and returns the breach: evidence against the operator, not a forgery.
 */
export async function checkAck(
  reads: ChainReads,
  s: AckSubject,
  deadline: AckDeadline,
  options: AckOptions = {},
): Promise<{ breach?: OperatorBreach; outcome: Outcome<AckCode> }> {
  const { ack } = s;
  const hash = signedDigest(s);
  if (hash === undefined) {
    const message = `the Ack's proof does not lead from the receipt's leaf to its root ${ack.root}`;
    return { outcome: failed("ACK_NOT_INCLUDED", message, "ack.proof") };
  }
  let breach: OperatorBreach | undefined;
  const outcome = await guard<AckCode>("BAD_ACK_SIGNATURE", "ack.signature", async () => {
    const operator = await reads.operatorOf(s.anchor, s.stream);
    if (options.skipUnopenedStream && sameAddress(operator, ZERO_ADDRESS)) {
      return skipped("DEPENDENCY_FAILED", `stream ${s.stream} has no operator on chain yet (nothing anchored in it)`);
    }
    if (!(await isSignedBy(reads, operator, hash, ack.signature))) {
      const message = `the Ack is not signed by ${operator}, the operator of stream ${s.stream}`;
      return failed("BAD_ACK_SIGNATURE", message, "ack.signature");
    }
    if (deadline.kind === "unknown")
      return skipped("DEPENDENCY_FAILED", "needs ANCHOR to judge the anchoring deadline");
    const at = deadline.kind === "anchored" ? deadline.at : null;
    const judged = deadline.kind === "anchored" ? deadline.at : await deadline.now();
    if (judged > ack.anchorBy) {
      const lateBySecs = judged - ack.anchorBy;
      breach = { code: "OPERATOR_BREACH_LATE_ANCHOR", operator, anchorBy: ack.anchorBy, anchoredAt: at, lateBySecs };
      const what = at === null && deadline.kind === "unanchored" ? deadline.what : `anchored at ${at}`;
      const message = `${operator} promised to anchor by ${ack.anchorBy}; ${what}, ${lateBySecs}s late`;
      return failed("OPERATOR_BREACH_LATE_ANCHOR", message, "ack.anchorBy");
    }
    return passed(
      at === null
        ? "valid Ack; the anchoring deadline has not passed"
        : `anchored ${ack.anchorBy - at}s before the deadline`,
    );
  });
  return breach === undefined ? { outcome } : { breach, outcome };
}
