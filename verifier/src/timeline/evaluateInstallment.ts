import { checksumAddress } from "../formats/hex";
import { KIND } from "../formats/receipt";
import type { Receipt } from "../formats/receipt";
import { versionInForce } from "../formats/terms";
import type { AgreementVersion, Terms } from "../formats/terms";
import { STAGES } from "./types";
import type { InstallmentEvaluation, InstallmentStatus, StageEvaluation, TimelineNote } from "./types";

/** A counted receipt with its judgement time worked out (see `judgeEvent` in timeline.ts). */
export interface JudgedEvent {
  digest: string;
  receipt: Receipt;
  anchoredAt: number | null;
  /** occurredAt, or anchoredAt when backdated. */
  judgedAt: number;
  backdated: boolean;
  pending: boolean;
}

/** A stage reached: the receipts summed up to the one that reached the amount due. */
interface Reached {
  completing: JudgedEvent;
  judgedAt: number;
  backdated: boolean;
  pending: boolean;
}

const sum = (events: readonly JudgedEvent[]): bigint => events.reduce((s, e) => s + e.receipt.amount, 0n);
const max = (xs: readonly number[]): number => xs.reduce((a, b) => (b > a ? b : a));

/**
 * The receipt of `ofKind` that brings their running sum (in (occurredAt, digest) order) up to `due`; the first
 * one when `due` is 0 (no DUE). A stage is only as early as its latest part, so it is judged at the latest
 * judgement time of the receipts summed, and is backdated or pending if any of them is.
 */
function reach(ofKind: readonly JudgedEvent[], due: bigint): Reached | undefined {
  let total = 0n;
  for (let i = 0; i < ofKind.length; i++) {
    total += (ofKind[i] as JudgedEvent).receipt.amount;
    if (total >= due) {
      const parts = ofKind.slice(0, i + 1);
      return {
        completing: ofKind[i] as JudgedEvent,
        judgedAt: max(parts.map((p) => p.judgedAt)),
        backdated: parts.some((p) => p.backdated),
        pending: parts.some((p) => p.pending),
      };
    }
  }
  return undefined;
}

/** Allowance of stage `k` (1–4) under `terms`: grace, settle, forward, confirm. */
function allowance(terms: Terms, k: number): number {
  return [0, terms.graceSecs, terms.settleSecs, terms.forwardSecs, terms.confirmSecs][k] as number;
}

/** Who answers for stage `k` (docs/timeline.md, "Responsible party"). */
function responsibleFor(k: number, terms: Terms | undefined, reached: readonly (Reached | undefined)[]): string | null {
  switch (k) {
    case 1:
      return "borrower";
    case 2: {
      const channel = reached[2]?.completing ?? reached[1]?.completing;
      return channel ? checksumAddress(channel.receipt.attester) : null;
    }
    case 3:
      return terms ? checksumAddress(terms.collector) : null;
    case 4:
      return terms ? checksumAddress(terms.funder) : null;
    default:
      return null;
  }
}

/**
 * Evaluates one installment from its counted receipts (already sorted by (occurredAt, digest), voids,
 * unauthorized and foreign-currency receipts removed). `upstreamNotes` carries the exclusions found upstream.
 */
export function evaluateInstallment(
  installment: number,
  counted: readonly JudgedEvent[],
  currency: number | null,
  upstreamNotes: readonly TimelineNote[],
  versions: readonly AgreementVersion[],
  now: number,
): InstallmentEvaluation {
  const ofKind = (kind: number): JudgedEvent[] => counted.filter((e) => e.receipt.kind === kind);
  const dues = ofKind(KIND.DUE);
  const due = sum(dues);
  const settled = sum(ofKind(KIND.SETTLED));
  const reversed = sum(ofKind(KIND.REVERSED));
  const compensations = ofKind(KIND.COMPENSATED);
  const compensated = sum(compensations);
  // Money that provably left the borrower: SETTLED, or a later stage's receipts when the channel never said so.
  const forwarded = sum(ofKind(KIND.FORWARDED));
  const confirmed = sum(ofKind(KIND.CONFIRMED));
  const received = [settled, forwarded, confirmed].reduce((a, b) => (b > a ? b : a));
  const net = received > reversed ? received - reversed : 0n;

  const status = statusOf(due, net, reversed, compensated);
  const notes: TimelineNote[] = [...upstreamNotes];
  if (dues.length === 0) notes.push({ code: "NO_DUE" });
  if (dues.length > 0 && (status === "paid" || status === "compensated") && net + compensated > due) {
    notes.push({
      code: "OVERPAID",
      amount: (net + compensated - due).toString(),
    });
  }

  const reached = STAGES.map((_, k) => reach(ofKind(k + 1), due));
  // The guarantor's payment makes every stage still missing moot from the time it was made.
  const compensatedAt = status === "compensated" ? max(compensations.map((e) => e.judgedAt)) : null;

  const stages = STAGES.map((stage, k): StageEvaluation => {
    const r = reached[k];
    const base = k > 0 ? reached[k - 1]?.judgedAt : undefined;
    const version = base === undefined ? undefined : versionInForce(versions, base);
    const deadline = base === undefined || version === undefined ? null : base + allowance(version.terms, k);

    let closedAt: number | null = null;
    let open = false;
    if (!r && k > 0) {
      // A later stage reached shows this one happened by then; so does the guarantor paying.
      const later = reached.slice(k + 1).flatMap((x) => (x ? [x.judgedAt] : []));
      if (compensatedAt !== null) later.push(compensatedAt);
      closedAt = later.length > 0 ? later.reduce((a, b) => (b < a ? b : a)) : null;
      open = closedAt === null && deadline !== null && now > deadline;
    }
    const judgeTime = r ? r.judgedAt : (closedAt ?? (open ? now : null));
    const lateBySecs = deadline !== null && judgeTime !== null && judgeTime > deadline ? judgeTime - deadline : 0;

    return {
      stage,
      at: r ? r.completing.receipt.occurredAt : null,
      anchoredAt: r ? r.completing.anchoredAt : null,
      deadline,
      late: lateBySecs > 0,
      lateBySecs,
      responsible: k === 0 ? null : responsibleFor(k, version?.terms, reached),
      digest: r ? r.completing.digest : null,
      judgedAt: r ? r.judgedAt : null,
      backdated: r?.backdated ?? false,
      pending: r?.pending ?? false,
      open,
      closedAt,
      version: deadline === null ? null : (version?.version ?? null),
      amount: sum(ofKind(k + 1)).toString(),
    };
  });

  const initiatedDeadline = stages[1]?.deadline ?? null;
  const finalStatus = status === "due" && initiatedDeadline !== null && now > initiatedDeadline ? "overdue" : status;
  return {
    installment,
    stages,
    status: finalStatus,
    currency,
    due: due.toString(),
    settled: settled.toString(),
    reversed: reversed.toString(),
    compensated: compensated.toString(),
    notes,
  };
}

/** Status from the amounts alone (`due` may become `overdue` once the grace deadline is known). */
function statusOf(due: bigint, net: bigint, reversed: bigint, compensated: bigint): InstallmentStatus {
  if (net > 0n && net >= due) return "paid";
  if (compensated > 0n && net + compensated >= due) return "compensated";
  if (reversed > 0n) return "reversed";
  if (net + compensated > 0n) return "partially paid";
  return "due";
}
