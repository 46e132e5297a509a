import { expect } from "chai";
import { InvariantError } from "@repayproof/verifier/core";
import { BATCH_TRANSITIONS, canMove, moveBatch } from "../../../service/batches/batchState";
import type { BatchRecord, BatchState } from "../../../service/store/records";

const STATES: readonly BatchState[] = ["SEALED", "SUBMITTED", "ANCHORED", "FINAL"];

/** The state machine as documented (batchState.ts and the Anchorer's header), written out independently. */
const ALLOWED: readonly string[] = [
  "SEALED→SUBMITTED", // its transaction signed and on disk
  "SEALED→ANCHORED", // the chain already shows the root
  "SUBMITTED→SUBMITTED", // a stuck transaction replaced
  "SUBMITTED→SEALED", // reverted or dropped: submit again
  "SUBMITTED→ANCHORED",
  "ANCHORED→ANCHORED", // a reorg moved the anchor to another block
  "ANCHORED→SEALED", // a reorg removed it
  "ANCHORED→FINAL",
];

const batch = (state: BatchState): BatchRecord => ({
  seq: 7,
  root: "0x" + "ab".repeat(32),
  count: 3,
  state,
  sealedAt: 1_700_000_000_000,
  txs: [],
});

describe("batchState", function () {
  it("behavior: the table allows exactly the documented moves, and FINAL is final", function () {
    const table = STATES.flatMap((from) => BATCH_TRANSITIONS[from].map((to) => `${from}→${to}`));
    expect(table).to.have.members([...ALLOWED]);
    expect(table).to.have.length(ALLOWED.length);
    expect(BATCH_TRANSITIONS.FINAL).to.deep.equal([]);
  });

  for (const from of STATES) {
    for (const to of STATES) {
      const move = `${from}→${to}`;
      if (ALLOWED.includes(move)) {
        it(`behavior: ${move} moves, applying the patch to a new record`, function () {
          const b = batch(from);
          const next = moveBatch(b, to, { blockNumber: 12, txHash: "0x" + "cd".repeat(32) });
          expect(canMove(from, to)).to.equal(true);
          expect(next).to.deep.equal({ ...b, state: to, blockNumber: 12, txHash: "0x" + "cd".repeat(32) });
          expect(b.state, "the old record is unchanged").to.equal(from);
          expect(b).to.not.have.property("blockNumber");
        });
      } else {
        it(`error: ${move} throws an InvariantError (our bug, never the chain's)`, function () {
          expect(canMove(from, to)).to.equal(false);
          expect(() => moveBatch(batch(from), to)).to.throw(InvariantError);
        });
      }
    }
  }

  it("behavior: the target state wins over a stray state in the patch", function () {
    // The patch's type leaves `state` out; at run time the move's target still wins.
    const b = batch("SEALED");
    const next = moveBatch(b, "SUBMITTED", { state: "FINAL" } as never);
    expect(next.state).to.equal("SUBMITTED");
  });
});
