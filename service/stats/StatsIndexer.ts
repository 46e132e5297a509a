import type { Logger } from "pino";
import type { TermsSource } from "../ingest/roles";
import { AnchorTimes, loadLoanReceipts, toTimelineEvents, type LoanReceipt } from "../read/loanReceipts";
import { isAnchored } from "../read/proofBundle";
import type { Store } from "../store/Store";
import type { StageFact } from "../store/statsRecords";
import { loanFacts } from "./stageFacts";
import { StatsTx } from "./StatsTx";

/**
 * Loans read at once while a batch is taken in: two overlap LevelDB's waits; more only raise the native
 * memory the reads hold (bench, 20k stored: RSS ~300 MB with 4, ~250 MB with 1) and crowd ingest's reads.
 */
const READERS = 2;
/** A batch's loans taken in per atomic write: memory stays bounded whatever the batch size. */
export const STATS_CHUNK = 256;
/** Receipts of a batch read at once to find the loans it touched. */
const SCAN = 512;
/** While ingest is busy, the index starts one loan per this many ms (so it still moves, slowly). */
const BUSY_PAUSE_MS = 10;

interface Update {
  agreementId: string;
  loanId: string;
  facts: StageFact[];
  old: StageFact[];
}

/** The last batch seq whose loans the stats index has taken in (meta record). */
export const STATS_WATERMARK = "statsIndexedSeq";
/**
 * How far into the batch after the watermark the index got: `{ seq, loans }`, the first `loans` of its
 * touched loans (in the order of its leaves) are taken in. Written with each chunk; absent between batches.
 */
export const STATS_PART = "statsIndexedPart";

interface Part {
  seq: number;
  loans: number;
}

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
  /** Loans start one after the other through this gate (see {@link turn}). */
  private gate: Promise<void> = Promise.resolve();

  /** `busy` says whether ingest has work in hand now; while it does, the index gives way (see {@link turn}). */
  constructor(
    private readonly store: Store,
    private readonly terms: TermsSource,
    private readonly log: Logger,
    private readonly busy: () => boolean = () => false,
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
      await this.store.write([
        { type: "meta", name: STATS_WATERMARK, value: -1 },
        { type: "meta", name: STATS_PART, value: null },
      ]);
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

  /**
   * Takes in batch `seq`'s loans STATS_CHUNK at a time, each chunk in one atomic write with the position
   * reached (STATS_PART), the last one with the watermark: a crash resumes at the chunk it was in (replacing
   * a loan again would change nothing anyway: the update is the difference from what the index holds).
   */
  private async indexBatch(seq: number): Promise<void> {
    const loans = await this.touchedLoans(seq);
    const part = await this.store.getMeta<Part | null>(STATS_PART);
    const times = new AnchorTimes(this.store);
    for (let from = part?.seq === seq ? part.loans : 0; ; from += STATS_CHUNK) {
      const to = Math.min(from + STATS_CHUNK, loans.length);
      const tx = new StatsTx(this.store);
      for (const list of await this.evaluateChunk(loans.slice(from, to), times, seq))
        for (const u of list) await tx.replaceLoan(u.agreementId, u.loanId, u.facts, u.old);
      const last = to >= loans.length;
      await tx.commit(
        last
          ? [
              { type: "meta", name: STATS_WATERMARK, value: seq },
              { type: "meta", name: STATS_PART, value: null },
            ]
          : [{ type: "meta", name: STATS_PART, value: { seq, loans: to } satisfies Part }],
      );
      if (last) return;
    }
  }

  /** The loans batch `seq` touched, in the order of its leaves, each with the agreements it was under. */
  private async touchedLoans(seq: number): Promise<[string, Set<string>][]> {
    const digests = (await this.store.getLeaves(seq))?.digests ?? [];
    const touched = new Map<string, Set<string>>(); // loanId → agreementIds
    for (let i = 0; i < digests.length; i += SCAN) {
      for (const rec of await this.store.getReceipts(digests.slice(i, i + SCAN))) {
        if (!rec) continue;
        const loanId = rec.receipt.loanId.toLowerCase();
        const set = touched.get(loanId) ?? new Set<string>();
        touched.set(loanId, set.add(rec.receipt.agreementId.toLowerCase()));
      }
    }
    return [...touched];
  }

  /** Reads overlap (each loan is a few LevelDB round trips, mostly waiting); the updates come back in order. */
  private async evaluateChunk(loans: [string, Set<string>][], times: AnchorTimes, seq: number): Promise<Update[][]> {
    const updates: Update[][] = new Array(loans.length);
    let next = 0;
    const reader = async (): Promise<void> => {
      while (next < loans.length) {
        const i = next++;
        await this.turn();
        const [loanId, agreements] = loans[i] as [string, Set<string>];
        updates[i] = await this.evaluateLoan(loanId, agreements, times, seq);
      }
    };
    await Promise.all(Array.from({ length: Math.min(READERS, loans.length) }, reader));
    return updates;
  }

  /**
   * Ingest first: before each loan the index lets the event loop run what is waiting (setImmediate), and
   * while ingest has requests in hand it starts one loan per BUSY_PAUSE_MS, whichever reader asks — slow
   * enough to leave the main thread to ingest, never stopped, so it catches up once ingest eases.
   */
  private turn(): Promise<void> {
    const t = this.gate.then(async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.busy()) await new Promise<void>((resolve) => setTimeout(resolve, BUSY_PAUSE_MS));
    });
    this.gate = t;
    return t;
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
