import type { WriteOp } from "../Store";
import { encodeStateNode } from "../stateNodeCodec";
import { agreementLoanKey, loanReceiptKey, nonceKey, pendingKey, seqKey, undoKey, type SublevelName } from "./keys";
import { statsEntry } from "./statsIndex";

/** The sublevel, key and value (undefined for a delete) of one op: LevelStore's side of ./exportOps.ts. */
export function entryOf(op: WriteOp): [SublevelName, string, string | undefined] {
  switch (op.type) {
    case "receipt":
      return ["receipts", op.digest, op.record];
    case "nonce":
      return ["nonces", nonceKey(op.attester, op.nonce), op.digest];
    case "loanReceipt":
      return ["loans", loanReceiptKey(op.loanId, op.digest), ""];
    case "agreementLoan":
      return ["agreementLoans", agreementLoanKey(op.agreementId, op.loanId), ""];
    case "ackGroup":
      return ["ackGroups", op.group.root, JSON.stringify(op.group)];
    case "pending":
      return ["pending", pendingKey(op.key), op.entry];
    case "pendingDone":
      return ["pending", pendingKey(op.key), undefined];
    case "batch":
      return ["batches", seqKey(op.batch.seq), JSON.stringify(op.batch)];
    case "leaves":
      return ["leaves", seqKey(op.seq), JSON.stringify(op.leaves)];
    case "batchOf":
      return ["batchOf", op.digest, String(op.seq)];
    case "terms":
      return ["terms", op.agreementId.toLowerCase(), JSON.stringify(op.versions)];
    case "meta":
      return ["meta", op.name, JSON.stringify(op.value)];
    case "shareRevoked":
      return ["revokedShares", op.digest.toLowerCase(), String(op.at)];
    case "loanStats":
    case "statsFact":
    case "statsDay":
      return statsEntry(op);
    case "stateNode":
      return ["smt", op.path, encodeStateNode(op.node)];
    case "stateUndo":
      return ["smtUndo", undoKey(op.seq, op.path), op.node === null ? "" : encodeStateNode(op.node)];
  }
}
