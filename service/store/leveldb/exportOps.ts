import type { AbstractSublevel } from "abstract-level";
import type { WriteOp } from "../Store";
import { SEQ_WIDTH, type SublevelName } from "./keys";
import { decodeStateNode } from "../stateNodeCodec";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Sub = AbstractSublevel<any, string | Buffer | Uint8Array, string, string>;

/** The sublevels a move to another backend copies: the stats index is derived, and rebuilt there. */
const COPIED = [
  "receipts",
  "nonces",
  "ackGroups",
  "pending",
  "batches",
  "leaves",
  "batchOf",
  "loans",
  "agreementLoans",
  "terms",
  "meta",
  "revokedShares",
  // The loan state tree: rebuilding it means replaying every batch's leaves through it, so it is copied.
  "smt",
  // What unfinished batches overwrote: proofs for the batch the chain shows while later ones wait.
  "smtUndo",
] as const satisfies readonly SublevelName[];

/** Metas of the stats index: not copied, so the new store's index starts from nothing and catches up. */
const STATS_METAS = new Set(["statsIndexedSeq", "statsIndexedPart"]);

/** `a:b` split at its first colon (the keys of ./keys.ts put a hex id or an address first). */
function split(key: string): [string, string] {
  const i = key.indexOf(":");
  return [key.slice(0, i), key.slice(i + 1)];
}

/** One stored record as the op that writes it (the inverse of LevelStore's `entry`). */
function opOf(sub: (typeof COPIED)[number], key: string, value: string): WriteOp | undefined {
  switch (sub) {
    case "receipts":
      return { type: "receipt", digest: key, record: value };
    case "nonces": {
      const [attester, nonce] = split(key);
      return { type: "nonce", attester, nonce, digest: value };
    }
    case "ackGroups":
      return { type: "ackGroup", group: JSON.parse(value) };
    case "pending":
      return { type: "pending", key: Number(key), entry: value };
    case "batches":
      return { type: "batch", batch: JSON.parse(value) };
    case "leaves":
      return { type: "leaves", seq: Number(key), leaves: JSON.parse(value) };
    case "batchOf":
      return { type: "batchOf", digest: key, seq: Number(value) };
    case "loans": {
      const [loanId, digest] = split(key);
      return { type: "loanReceipt", loanId, digest };
    }
    case "agreementLoans": {
      const [agreementId, loanId] = split(key);
      return { type: "agreementLoan", agreementId, loanId };
    }
    case "terms":
      return { type: "terms", agreementId: key, versions: JSON.parse(value) };
    case "meta":
      return STATS_METAS.has(key) ? undefined : { type: "meta", name: key, value: JSON.parse(value) };
    case "revokedShares":
      return { type: "shareRevoked", digest: key, at: Number(value) };
    case "smt":
      return { type: "stateNode", path: key, node: decodeStateNode(value) };
    case "smtUndo": {
      const node = value === "" ? null : decodeStateNode(value);
      return { type: "stateUndo", seq: Number(key.slice(0, SEQ_WIDTH)), path: key.slice(SEQ_WIDTH), node };
    }
  }
}

/** Every record of `subs` worth moving, as the ops that write it, one sublevel after another. */
export async function* exportOps(subs: Record<SublevelName, Sub>): AsyncIterable<WriteOp> {
  for (const sub of COPIED) {
    for await (const [key, value] of subs[sub].iterator()) {
      const op = opOf(sub, key, value);
      if (op) yield op;
    }
  }
}
