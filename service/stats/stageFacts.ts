import { evaluateTimeline, type AgreementVersion, type Evaluation, type TimelineEvent } from "@repayproof/verifier";
import type { StageFact } from "../store/statsRecords";

/**
 * The figures' view of one loan: `evaluateTimeline` — the timeline's own rules, pending receipts counted as
 * the served timeline counts them — at `now` = 0, which leaves out the one judgement that depends on the
 * chain's time (a breach opens when the chain passes a missing stage's deadline): such a stage is kept as a
 * `candidate` and judged open at query time against the latest anchored block time, as the timeline would.
 */
export function loanFacts(loanId: string, events: readonly TimelineEvent[], versions: AgreementVersion[]): StageFact[] {
  return stageFacts(loanId, evaluateTimeline({ events, versions, now: 0, includePending: true }));
}

/** The stage facts of an evaluation made at `now` = 0 (see {@link loanFacts}); stages with nothing to count are left out. */
export function stageFacts(loanId: string, evaluation: Evaluation): StageFact[] {
  const out: StageFact[] = [];
  for (const inst of evaluation.installments) {
    inst.stages.forEach((s, k) => {
      const at = s.deadline ?? s.judgedAt;
      if (at === null) return;
      const reached = s.judgedAt !== null;
      const judged = s.deadline !== null && (reached || s.closedAt !== null);
      const candidate = s.deadline !== null && !reached && s.closedAt === null;
      const before = k > 0 ? inst.stages[k - 1]?.judgedAt : null;
      const duration =
        k > 0 && s.judgedAt !== null && before !== null && before !== undefined
          ? Math.max(0, s.judgedAt - before)
          : null;
      if (!judged && !candidate && !s.backdated && duration === null) return;
      out.push({
        loanId: loanId.toLowerCase(),
        installment: inst.installment,
        stage: k,
        responsible: s.responsible,
        at,
        judged,
        lateBy: judged ? s.lateBySecs : 0,
        backdated: s.backdated,
        candidate,
        duration,
      });
    });
  }
  return out;
}
