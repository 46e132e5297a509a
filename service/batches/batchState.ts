import { invariant } from "@repayproof/verifier/core";
import type { BatchRecord, BatchState } from "../store/records";

/**
 * Where a batch may go from each state (OPEN is the pending queue; a record starts SEALED). The anchorer
 * changes a batch's state only through {@link moveBatch}, so this table is the whole state machine:
 * - SEALED → SUBMITTED: its anchoring transaction is signed and on disk (then broadcast);
 * - SEALED/SUBMITTED → ANCHORED: `anchorOf(root)` shows it (also after a crash, whoever sent it);
 * - SUBMITTED → SUBMITTED: a stuck transaction replaced (same nonce, higher fees);
 * - SUBMITTED → SEALED: its transaction reverted or was dropped: submit again;
 * - ANCHORED → ANCHORED: a reorg moved the anchor to another block;
 * - ANCHORED → SEALED: a reorg removed the anchor: anchor the same root again;
 * - ANCHORED → FINAL: enough confirmations. FINAL is final.
 */
export const BATCH_TRANSITIONS: Readonly<Record<BatchState, readonly BatchState[]>> = {
  SEALED: ["SUBMITTED", "ANCHORED"],
  SUBMITTED: ["SUBMITTED", "SEALED", "ANCHORED"],
  ANCHORED: ["ANCHORED", "SEALED", "FINAL"],
  FINAL: [],
};

/** Whether the table allows `from` → `to`. */
export function canMove(from: BatchState, to: BatchState): boolean {
  return BATCH_TRANSITIONS[from].includes(to);
}

/**
 * The batch moved to `to` with `patch` applied (a new record; the caller persists it). Throws an
 * InvariantError for a move the table does not allow: that is our bug, never the chain's.
 */
export function moveBatch(
  b: BatchRecord,
  to: BatchState,
  patch: Partial<Omit<BatchRecord, "seq" | "root" | "count" | "state" | "stateRoot">> = {},
): BatchRecord {
  invariant(canMove(b.state, to), `batch ${b.seq} cannot move from ${b.state} to ${to}`);
  return { ...b, ...patch, state: to };
}
