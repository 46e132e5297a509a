import { loanStateKey } from "@repayproof/verifier/core";
import type { PendingItem } from "../batches/PendingQueue";
import type { WriteOp } from "../store/Store";
import { receiptRecord } from "../store/records";
import type { AckSigner, SignedAcks } from "./AckSigner";
import type { Prepared } from "./preprocess";
import type { Staged } from "./StagedReceipts";

/** A receipt admission decided new: staged, and once {@link passOps} signed its job's Acks, its Ack's place. */
export interface NewReceipt {
  kind: "new";
  staged: Staged;
  item: Prepared;
  acks?: SignedAcks;
  index?: number;
}

/** The receipts one request (job) has accepted in a pass, and when it accepted them. */
export interface JobReceipts {
  accepted: NewReceipt[];
  acceptedAt: number;
}

/**
 * What storing one pass's new receipts writes, job by job: each job's Acks signed over exactly the receipts
 * it names (set on each receipt: `acks`, `index`), the batch Ack's record, each receipt's record, nonce and
 * loan index, each (agreement, loan) once; and the pending-queue items, accepted at `nowMs`. Called again,
 * with the receipts that lost their nonce left out, when another instance took one (Store.ts Redo), so no
 * Ack is ever signed over a receipt that is not stored.
 */
export function passOps(
  jobs: readonly JobReceipts[],
  signer: AckSigner,
  nowMs: number,
): { ops: WriteOp[]; queued: PendingItem[] } {
  const ops: WriteOp[] = [];
  const queued: PendingItem[] = [];
  const loansSeen = new Set<string>();
  for (const job of jobs) {
    if (job.accepted.length === 0) continue;
    const acks = signer.sign(
      job.accepted.map((d) => d.item.digest),
      job.acceptedAt,
    );
    if (acks.group) ops.push({ type: "ackGroup", group: acks.group });
    job.accepted.forEach((d, i) => {
      d.acks = acks;
      d.index = i;
      const it = d.item;
      ops.push(
        { type: "receipt", digest: it.digest, record: receiptRecord(it.head, acks.shared) },
        { type: "nonce", attester: it.attester, nonce: it.nonce, digest: it.digest },
        { type: "loanReceipt", loanId: it.loanId, digest: it.digest },
      );
      const al = `${it.agreementId}:${it.loanId}`;
      if (!loansSeen.has(al)) {
        loansSeen.add(al);
        ops.push({ type: "agreementLoan", agreementId: it.agreementId, loanId: it.loanId });
      }
      queued.push({ digest: it.digest, acceptedAtMs: nowMs, stateKey: loanStateKey(it.agreementId, it.loanId) });
    });
  }
  return { ops, queued };
}
