import type { Logger } from "pino";
import { evaluateTimeline, KIND_NAMES, type AgreementVersion } from "@repayproof/verifier";
import type { EventHub } from "./EventHub";
import { AnchorTimes, loadLoanReceipts, toTimelineEvents } from "../read/loanReceipts";
import type { Reader } from "../read/Reader";
import { StreamReaders } from "../read/StreamReaders";
import type { Store } from "../store/Store";
import type { BatchRecord } from "../store/records";

/** Loans re-evaluated per anchored batch at most (the rest wait for their next receipt or deadline). */
const MAX_LOANS_PER_BATCH = 5_000;
/** Loans whose open breaches and next deadline are remembered (oldest forgotten first). */
const MAX_TRACKED_LOANS = 100_000;

interface Tracked {
  agreementId: string;
  loanId: string;
  /** Open breaches as "installment:stage" → responsible. */
  open: Map<string, string | null>;
  /** The earliest future deadline of a missing stage, if any: re-evaluate once the chain passes it. */
  nextDeadline: number | undefined;
}

export interface TermsSource {
  get(agreementId: string): Promise<AgreementVersion[] | undefined>;
}

/**
 * Publishes `batch.anchored` (one event per agreement in the batch) and `breach.opened` / `breach.closed`
 * when a batch anchors: it re-evaluates the timelines of the loans the batch touched, plus the loans whose
 * next deadline the new chain time has passed, at `now` = the batch's block time (the timeline's rule), and
 * compares their open breaches with the last evaluation. Work runs one batch at a time off the anchorer's
 * path, only while someone listens, bounded per batch; the state is in memory and starts afresh when the
 * last listener leaves or the service restarts (docs/api.md, "Live events").
 */
export class BreachWatcher {
  /**
   * Keyed by (agreementId, loanId): a loanId is chosen by its platform, so two agreements may use the same
   * one, and keyed by loanId alone their breaches overwrote each other and were published under the wrong one.
   */
  private readonly loans = new Map<string, Tracked>();
  private queue: Promise<void> = Promise.resolve();
  private readonly store: Store;
  private readonly terms: TermsSource;
  /** Our stream's reader, and every other stream's on a shared database: a loan's receipts may be sealed in several. */
  private readonly streams: StreamReaders;

  constructor(
    reader: Reader,
    private readonly hub: EventHub,
    private readonly stream: string,
    private readonly log: Logger,
  ) {
    this.streams = new StreamReaders(reader);
    this.store = reader.store;
    this.terms = reader.terms;
    hub.onIdle = () => this.loans.clear();
  }

  /** Called by the anchorer once a batch is recorded ANCHORED. Never throws, never blocks the anchorer. */
  onAnchored(b: BatchRecord): void {
    if (!this.hub.active()) return;
    const batch = { ...b };
    this.queue = this.queue
      .then(() => this.process(batch))
      .catch((err: unknown) => this.log.warn({ err, seq: b.seq }, "event publication failed for an anchored batch"));
  }

  /** Resolves when every anchored batch handed over so far is processed (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  private async process(b: BatchRecord): Promise<void> {
    const leaves = await this.store.getLeaves(b.seq);
    if (!leaves) return;
    const values = await this.store.getReceipts(leaves.digests);
    const byAgreement = new Map<string, Record<string, unknown>[]>();
    const touched = new Map<string, { agreementId: string; loanId: string }>(); // loanKey → the loan
    values.forEach((v, i) => {
      if (v === undefined) return;
      const r = v.receipt;
      const agreementId = r.agreementId.toLowerCase();
      const list = byAgreement.get(agreementId) ?? [];
      list.push({
        digest: leaves.digests[i],
        loanId: r.loanId,
        installment: r.installment,
        kind: KIND_NAMES[r.kind - 1] ?? r.kind,
        amount: r.amount,
        currency: r.currency,
        occurredAt: r.occurredAt,
        attester: r.attester,
      });
      byAgreement.set(agreementId, list);
      const loanId = r.loanId.toLowerCase();
      touched.set(loanKey(agreementId, loanId), { agreementId, loanId });
    });
    const batch = {
      stream: this.stream,
      seq: b.seq,
      root: b.root,
      txHash: b.txHash ?? null,
      blockNumber: b.blockNumber ?? null,
      anchoredAt: b.anchoredAt ?? null,
    };
    for (const [agreementId, receipts] of byAgreement) {
      this.hub.publish("batch.anchored", agreementId, { ...batch, count: receipts.length, receipts });
    }
    const now = b.anchoredAt;
    if (now === undefined) return;
    for (const [key, t] of this.loans) if (t.nextDeadline !== undefined && t.nextDeadline < now) touched.set(key, t);
    let n = 0;
    const times = new AnchorTimes(this.streams);
    for (const { loanId, agreementId } of touched.values()) {
      if (n++ >= MAX_LOANS_PER_BATCH) {
        this.log.warn(
          { seq: b.seq, loans: touched.size },
          "too many loans in one batch; breach events skipped for some",
        );
        break;
      }
      await this.evaluate(loanId, agreementId, now, times);
    }
  }

  private async evaluate(loanId: string, agreementId: string, now: number, times: AnchorTimes): Promise<void> {
    const versions = await this.terms.get(agreementId);
    if (!versions || versions.length === 0) return;
    const receipts = await loadLoanReceipts(times, loanId, agreementId);
    if (receipts.length === 0) return;
    const evaluation = evaluateTimeline({ events: toTimelineEvents(receipts), versions, now });
    const open = new Map<string, string | null>();
    let nextDeadline: number | undefined;
    const details = new Map<string, Record<string, unknown>>();
    for (const inst of evaluation.installments) {
      for (const s of inst.stages) {
        const key = `${inst.installment}:${s.stage}`;
        const info = { loanId, installment: inst.installment, stage: s.stage, responsible: s.responsible };
        details.set(key, { ...info, deadline: s.deadline, lateBySecs: s.lateBySecs, asOf: now });
        if (s.open) open.set(key, s.responsible);
        else if (s.at === null && s.closedAt === null && s.deadline !== null && s.deadline >= now) {
          nextDeadline = nextDeadline === undefined ? s.deadline : Math.min(nextDeadline, s.deadline);
        }
      }
    }
    const tracked = loanKey(agreementId, loanId);
    const before = this.loans.get(tracked)?.open ?? new Map<string, string | null>();
    for (const key of open.keys()) {
      if (!before.has(key)) this.hub.publish("breach.opened", agreementId, details.get(key) ?? {});
    }
    for (const key of before.keys()) {
      if (!open.has(key)) {
        const d = details.get(key);
        const stage = evaluation.installments
          .find((i) => `${i.installment}` === key.split(":")[0])
          ?.stages.find((s) => s.stage === key.split(":")[1]);
        this.hub.publish("breach.closed", agreementId, {
          ...(d ?? { loanId, installment: Number(key.split(":")[0]), stage: key.split(":")[1] }),
          at: stage?.at ?? null,
          closedAt: stage?.closedAt ?? null,
        });
      }
    }
    this.loans.delete(tracked);
    if (open.size > 0 || nextDeadline !== undefined) {
      if (this.loans.size >= MAX_TRACKED_LOANS) {
        const oldest = this.loans.keys().next().value;
        if (oldest !== undefined) this.loans.delete(oldest);
      }
      this.loans.set(tracked, { agreementId, loanId, open, nextDeadline });
    }
  }
}

const loanKey = (agreementId: string, loanId: string): string => `${agreementId}:${loanId}`;
