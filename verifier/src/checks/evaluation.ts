import type { AgreementVersion } from "../formats/terms";
import {
  diffEvaluations,
  evaluateTimeline,
  type Evaluation,
  type EvaluationDifference,
  type TimelineEvent,
} from "../timeline/evaluateTimeline";
import { failed, passed, type Outcome } from "./checkLog";
import { fieldOf } from "./terms";

/** What EVALUATION recomputes from: only what verified, with the chain's terms and anchor times. */
export interface EvaluationInput {
  /** The genuine events (anchored ones with the chain's anchor time, pending ones with null). */
  counted: TimelineEvent[];
  /** The registry's versions (TERMS), never the input's copy. */
  versions: AgreementVersion[];
  /** The service's judgement time (`evaluation.asOf`). */
  asOf: number;
  /** The service's evaluation as served (plain JSON). */
  claimed: unknown;
}

/**
 * EVALUATION: `evaluateTimeline` over the counted events at `now` = `asOf`, or a later anchor time of an event
 * (then the service judged before an event it counts as anchored), pending events counted as the service
 * counts them; compared field by field with the service's (`differences` at `$.evaluation…`, expected = ours).
 */
export function checkEvaluation(input: EvaluationInput): {
  now: number;
  evaluation?: Evaluation;
  differences: EvaluationDifference[];
  outcome: Outcome<"EVALUATION_MISMATCH">;
} {
  const { counted, versions, asOf, claimed } = input;
  const now = counted.reduce((m, e) => Math.max(m, e.anchoredAt ?? 0), asOf);
  let evaluation: Evaluation;
  try {
    evaluation = evaluateTimeline({ events: counted, versions, now, includePending: true });
  } catch (e) {
    const message = `cannot recompute: ${e instanceof Error ? e.message : String(e)}`;
    return { now, differences: [], outcome: failed("EVALUATION_MISMATCH", message, "evaluation") };
  }
  const differences = diffEvaluations(evaluation, claimed).map((d) => ({
    ...d,
    path: d.path.replace(/^\$/, "$.evaluation"),
  }));
  if (differences.length === 0)
    return { now, evaluation, differences, outcome: passed(`recomputed at ${now}: identical`) };
  const first = differences[0]!.path;
  const message = `${differences.length} difference(s), first at ${first}`;
  return { now, evaluation, differences, outcome: failed("EVALUATION_MISMATCH", message, fieldOf(first)) };
}
