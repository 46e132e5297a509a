import type { Logger } from "pino";
import type { TermsSource } from "../ingest/roles";
import { AnchorTimes, loadLoanReceipts, toTimelineEvents, type LoanReceipt } from "../read/loanReceipts";
import { isAnchored } from "../read/proofBundle";
import type { Store } from "../store/Store";
import type { StageFact } from "../store/statsRecords";
import { loanFacts } from "./stageFacts";
import { StatsTx } from "./StatsTx";

/** Loans read at once while a batch is taken in. */
const READERS = 16;

interface Update {
  agreementId: string;
  loanId: string;
  facts: StageFact[];
  old: StageFact[];
}

/** The last batch seq whose loans the stats index has taken in (meta record). */
export const STATS_WATERMARK = "statsIndexedSeq";

/**
 * The time the figures are judged at: the block time of the last batch the index has taken in — the latest
 * anchored one, unless the index is still catching up, when figures and their `now` stay one consistent
 * snapshot (a stage reached in a batch not yet taken in is not judged open meanwhile). 0 before any.
 */
export async function statsAsOf(store: Store): Promise<number> {
  const seq = await store.getMeta<number>(STATS_WATERMARK);
  if (seq === undefined || seq < 0) return 0;
  return (await store.getBatch(seq))?.anchoredAt ?? 0;
}

/**
 * Keeps the stats index (docs/api.md, "Stats"): when a batch anchors, each loan it touched is re-evaluated
 * with the timeline's rules and its contribution replaced, with the watermark, in one atomic write. Batches
 * are taken in seq order from the watermark on, so a restart (or a crash mid-way) resumes where the disk
 * says, and {@link rebuild} replays every anchored batch from scratch. Runs one batch at a time, off the
 * anchorer's path. Pending receipts of a loan count from its next anchored batch on, as the timeline counts
 * them; a loan none of whose batches has anchored yet is not in the figures.
 */
export class StatsIndexer {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly terms: TermsSource,
    private readonly log: Logger,
  ) {}

  /** Takes in every anchored batch past the watermark (at start, and whenever a batch anchors). Never throws. */
  kick(): void {
    this.queue = this.queue
      .then(() => this.catchUp())
      .catch((err: unknown) => this.log.warn({ err }, "stats index update failed; retried at the next anchor"));
  }

  /** Resolves when the work handed over so far is done (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  /**
   * Forgets the index and takes in every anchored batch again (STATS_REBUILD=1 at start; figures are partial
   * until it is done). Resolves when done; a failure is logged, and rejects the returned promise only.
   */
  rebuild(): Promise<void> {
    const done = this.queue.then(async () => {
      await this.store.clearStats();
      await this.store.write([{ type: "meta", name: STATS_WATERMARK, value: -1 }]);
      await this.catchUp();
    });
    this.queue = done.catch((err: unknown) => this.log.error({ err }, "stats index rebuild failed"));
    return done;
  }

  private async catchUp(): Promise<void> {
    for (let seq = ((await this.store.getMeta<number>(STATS_WATERMARK)) ?? -1) + 1; ; seq++) {
      if (!isAnchored(await this.store.getBatch(seq))) return;
      await this.indexBatch(seq);
    }
  }

  private async indexBatch(seq: number): Promise<void> {
    const leaves = await this.store.getLeaves(seq);
    const touched = new Map<string, Set<string>>(); // loanId → agreementIds
    for (const rec of await this.store.getReceipts(leaves?.digests ?? [])) {
      if (!rec) continue;
      const loanId = rec.receipt.loanId.toLowerCase();
      const set = touched.get(loanId) ?? new Set<string>();
      touched.set(loanId, set.add(rec.receipt.agreementId.toLowerCase()));
    }
    // Reads overlap (each loan is a few LevelDB round trips, mostly waiting); the update is applied in order.
    const times = new AnchorTimes(this.store);
    const loans = [...touched];
    const updates: Update[][] = new Array(loans.length);
    let next = 0;
    const reader = async (): Promise<void> => {
      while (next < loans.length) {
        const i = next++;
        const [loanId, agreements] = loans[i] as [string, Set<string>];
        updates[i] = await this.evaluateLoan(loanId, agreements, times, seq);
      }
    };
    await Promise.all(Array.from({ length: Math.min(READERS, loans.length) }, reader));
    const tx = new StatsTx(this.store);
    for (const list of updates) for (const u of list) await tx.replaceLoan(u.agreementId, u.loanId, u.facts, u.old);
    await tx.commit([{ type: "meta", name: STATS_WATERMARK, value: seq }]);
  }

  /** `loanId`'s new facts under each of `agreements`, with the ones the index holds now. */
  private async evaluateLoan(
    loanId: string,
    agreements: Set<string>,
    times: AnchorTimes,
    seq: number,
  ): Promise<Update[]> {
    const byAgreement = new Map<string, LoanReceipt[]>();
    for (const r of await loadLoanReceipts(this.store, loanId, times)) {
      const id = r.stored.receipt.agreementId.toLowerCase();
      byAgreement.set(id, [...(byAgreement.get(id) ?? []), r]);
    }
    const out: Update[] = [];
    for (const agreementId of agreements) {
      const versions = await this.terms.get(agreementId);
      if (!versions || versions.length === 0) {
        this.log.error({ agreementId, loanId, seq }, "stats: stored receipts name an agreement the registry lacks");
        continue;
      }
      try {
        const facts = loanFacts(loanId, toTimelineEvents(byAgreement.get(agreementId) ?? []), versions);
        const old = (await this.store.getLoanStats(agreementId, loanId))?.facts ?? [];
        out.push({ agreementId, loanId, facts, old });
      } catch (err) {
        this.log.error({ err, agreementId, loanId, seq }, "stats: the loan's timeline could not be evaluated");
      }
    }
    return out;
  }
}
