import type { CompletenessEntry } from "../formats/completeness";
import { chainHead, loanStateKey, verifyLoanStateProof } from "../merkle/loanState";
import { failed, passed, type Outcome } from "./checkLog";

/** COMPLETE's codes: what is wrong with a timeline's completeness, one code per kind of fault. */
export type CompleteCode =
  | "COMPLETE_NO_ENTRY" // a stream with anchored events has no completeness entry
  | "COMPLETE_BAD_PROOF" // the proof or the entry's own digests do not give its (count, head) under its root
  | "COMPLETE_STATE_ROOT" // the chain emitted another state root for (stream, seq), or none (reorged, not anchored)
  | "COMPLETE_MISSING" // a receipt the stream anchored for this loan is not among the timeline's events
  | "COMPLETE_EXTRA" // an event anchored in the stream up to `seq` that the entry does not count
  | "COMPLETE_REORDERED"; // the anchoring order contradicts the events' batches, or names a receipt twice

/** An anchored event of the timeline, where its bundle says it was anchored (already checked against the chain). */
export interface AnchoredEventRef {
  index: number;
  digest: string;
  stream: string;
  seq: number;
}

export interface CompleteInput {
  agreementId: string;
  loanId: string;
  entries: readonly CompletenessEntry[];
  events: readonly AnchoredEventRef[];
  /** The state root `BatchAnchored` emitted for (stream, seq), undefined when the chain has none. */
  stateRootAt(stream: string, seq: number): Promise<string | undefined>;
}

/** Checks one entry against its stream's events; the first fault found, or undefined. */
async function checkEntry(
  input: CompleteInput,
  e: CompletenessEntry,
  i: number,
  events: readonly AnchoredEventRef[],
): Promise<Outcome<CompleteCode> | undefined> {
  const at = `completeness[${i}]`;
  const key = loanStateKey(input.agreementId, input.loanId);
  if (!verifyLoanStateProof(e.stateRoot, { key, count: e.count, head: e.head, siblings: e.proof })) {
    return failed(
      "COMPLETE_BAD_PROOF",
      "the proof does not give this loan's (count, head) under stateRoot",
      `${at}.proof`,
    );
  }
  if (e.digests.length !== e.count || chainHead(e.digests) !== e.head) {
    return failed("COMPLETE_BAD_PROOF", "the digests listed do not chain into (count, head)", `${at}.digests`);
  }
  const onChain = await input.stateRootAt(e.stream, e.seq);
  if (onChain !== e.stateRoot) {
    const why =
      onChain === undefined
        ? "the chain has no anchor of this batch (not anchored, or reorged away)"
        : `the chain emitted ${onChain}`;
    return failed("COMPLETE_STATE_ROOT", `state root of ${e.stream}#${e.seq}: ${why}`, `${at}.stateRoot`);
  }
  const seqOf = new Map(events.map((ev) => [ev.digest, ev.seq]));
  const listed = new Set<string>();
  let lastSeq = -1;
  for (const [j, d] of e.digests.entries()) {
    const seq = seqOf.get(d);
    if (seq === undefined)
      return failed(
        "COMPLETE_MISSING",
        `receipt ${d} was anchored for this loan but is not in the timeline`,
        `${at}.digests[${j}]`,
      );
    if (listed.has(d) || seq < lastSeq || seq > e.seq) {
      return failed(
        "COMPLETE_REORDERED",
        `receipt ${d} is out of anchoring order (batch ${seq})`,
        `${at}.digests[${j}]`,
      );
    }
    listed.add(d);
    lastSeq = seq;
  }
  // Events anchored after `seq` are beyond what this state proves (a batch sealed since): not counted, not extra.
  const extra = events.find((ev) => ev.seq <= e.seq && !listed.has(ev.digest));
  if (extra)
    return failed(
      "COMPLETE_EXTRA",
      `event ${extra.index} (batch ${extra.seq}) is not counted in the loan's state`,
      `events[${extra.index}]`,
    );
  return undefined;
}

/**
 * COMPLETE (DESIGN.md, "Completeness: the loan state root"): for every stream the timeline's anchored events
 * name, its entry's proof gives the loan's `(count, head)` under a state root the chain emitted for that
 * `(stream, seq)`, its digests chain into that head, and they are exactly the timeline's anchored events of
 * that stream, in batch order. It proves the operator withheld none of this loan's receipts it anchored in
 * those streams up to `seq`; it cannot speak for receipts never submitted, or anchored in a stream the
 * timeline does not name.
 */
export async function checkComplete(input: CompleteInput): Promise<Outcome<CompleteCode>> {
  const streams = new Set(input.entries.map((e) => e.stream));
  if (streams.size !== input.entries.length) {
    return failed("COMPLETE_REORDERED", "two completeness entries for one stream", "completeness");
  }
  const uncovered = input.events.find((ev) => !streams.has(ev.stream));
  if (uncovered)
    return failed("COMPLETE_NO_ENTRY", `no completeness entry for stream ${uncovered.stream}`, "completeness");
  for (const [i, e] of input.entries.entries()) {
    const fault = await checkEntry(
      input,
      e,
      i,
      input.events.filter((ev) => ev.stream === e.stream),
    );
    if (fault) return fault;
  }
  return passed(`${input.entries.length} stream(s) complete`);
}
