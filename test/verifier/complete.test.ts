import { expect } from "chai";
import { id } from "ethers";
import {
  chainHead,
  keccakReady,
  loanStateKey,
  loanStateProof,
  loanStateRoot,
  type CompletenessEntry,
} from "@repayproof/verifier";
import { checkComplete, type AnchoredEventRef } from "@repayproof/verifier/checks";

/**
 * COMPLETE on hand-made states (the end-to-end test runs it on what the service serves): each fault has its
 * own code, including those only a dishonest operator's own anchored state can produce.
 */
const agreementId = id("agreement");
const loanId = id("loan");
const key = loanStateKey(agreementId, loanId);
const stream = id("stream");
const d = [id("d0"), id("d1"), id("d2")];
const events: AnchoredEventRef[] = [
  { index: 0, digest: d[0]!, stream, seq: 0 },
  { index: 1, digest: d[1]!, stream, seq: 1 },
  { index: 2, digest: d[2]!, stream, seq: 1 },
];

/** The entry an operator would serve had it anchored the state `digests` chain into (with a second loan). */
function entryOf(digests: string[], seq = 1): CompletenessEntry {
  const states = [
    { key, count: digests.length, head: chainHead(digests) },
    { key: loanStateKey(agreementId, id("other loan")), count: 1, head: chainHead([id("x")]) },
  ];
  const p = loanStateProof(states, key);
  return { stream, seq, stateRoot: loanStateRoot(states), count: p.count, head: p.head, proof: p.siblings, digests };
}

/** COMPLETE on `e` and `evs`, the chain having emitted `chain.root` for the entry's batch (its own root by default). */
const run = (e: CompletenessEntry, evs = events, chain: { root: string | undefined } = { root: e.stateRoot }) =>
  checkComplete({ agreementId, loanId, entries: [e], events: evs, stateRootAt: async () => chain.root });

describe("checkComplete (COMPLETE)", function () {
  before(async function () {
    await keccakReady();
  });

  it("behavior: passes when the entry counts exactly the events, in batch order", async function () {
    expect((await run(entryOf(d))).status).to.equal("pass");
    expect(
      (await checkComplete({ agreementId, loanId, entries: [], events: [], stateRootAt: async () => undefined }))
        .status,
    ).to.equal("pass");
  });

  it("error: COMPLETE_REORDERED when the anchored state chains a later batch's receipt first", async function () {
    expect((await run(entryOf([d[1]!, d[0]!, d[2]!]))).code).to.equal("COMPLETE_REORDERED");
  });

  it("error: COMPLETE_REORDERED when the anchored state counts one receipt twice", async function () {
    expect((await run(entryOf([d[0]!, d[1]!, d[1]!, d[2]!]))).code).to.equal("COMPLETE_REORDERED");
  });

  it("error: COMPLETE_MISSING, COMPLETE_EXTRA for a removed or an uncounted event", async function () {
    expect((await run(entryOf(d), events.slice(1))).code).to.equal("COMPLETE_MISSING");
    expect((await run(entryOf(d.slice(0, 2)))).code).to.equal("COMPLETE_EXTRA");
  });

  it("behavior: an event anchored after the entry's batch is outside the proof, neither missing nor extra", async function () {
    const later = { index: 3, digest: id("d3"), stream, seq: 2 };
    expect((await run(entryOf(d), [...events, later])).status).to.equal("pass");
  });

  it("error: COMPLETE_STATE_ROOT when the chain emitted another root or none (reorged away)", async function () {
    expect((await run(entryOf(d), events, { root: id("another root") })).code).to.equal("COMPLETE_STATE_ROOT");
    expect((await run(entryOf(d), events, { root: undefined })).code).to.equal("COMPLETE_STATE_ROOT");
  });

  it("error: COMPLETE_BAD_PROOF for a proof of another loan, COMPLETE_NO_ENTRY for a stream without an entry", async function () {
    const other = checkComplete({
      agreementId,
      loanId: id("other loan"),
      entries: [entryOf(d)],
      events,
      stateRootAt: async () => undefined,
    });
    expect((await other).code).to.equal("COMPLETE_BAD_PROOF");
    expect(
      (await run(entryOf(d), [...events, { index: 3, digest: id("d3"), stream: id("s2"), seq: 0 }])).code,
    ).to.equal("COMPLETE_NO_ENTRY");
  });
});
