import type { Logger } from "pino";
import type { TermsSource } from "../ingest/roles";
import { isAnchored } from "../read/proofBundle";
import type { Store } from "../store/Store";
import type { LoanEvent, LoanStats } from "../store/statsRecords";
import { loanEvent, MAX_LOAN_EVENTS, mergeEvents, timelineEvents } from "./loanEvents";
import { loanFacts } from "./stageFacts";
import { StatsTx } from "./StatsTx";

/** A batch's leaves taken in per atomic write: memory stays bounded whatever the batch size. */
export const STATS_CHUNK = 512;
/** While ingest is busy, the index takes in one chunk per this many ms (so it still moves, slowly). */
const BUSY_PAUSE_MS = 20;

/** The loan records' format (meta STATS_FORMAT); an index of another format is rebuilt at start. */
export const STATS_FORMAT_VERSION = 2;
export const STATS_FORMAT = "statsFormat";

/** A loan a chunk of a batch touched: its receipts there. */
interface Touched {
  agreementId: string;
  loanId: string;
  events: LoanEvent[];
}

/** The last batch seq whose loans the stats index has taken in (meta record). */
export const STATS_WATERMARK = "statsIndexedSeq";
/**
 * How far into the batch after the watermark the index got: `{ seq, leaves }`, its first `leaves` leaves are
 * taken in. Written with each chunk; absent between batches.
 */
export const STATS_PART = "statsIndexedPart";

interface Part {
  seq: number;
  leaves: number;
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
 * Keeps the stats index (docs/api.md, "Stats"): when a batch anchors, each loan it touched takes in its
 * receipts there (kept in the loan's record, so nothing earlier is read again), is evaluated with the
 * timeline's rules over its anchored receipts, and its contribution is replaced, chunk by chunk, with the
 * position reached in the same atomic write. Batches are taken in seq order from the watermark on, so a
 * restart (or a crash mid-way) resumes where the disk says, and {@link rebuild} replays every anchored batch
 * from scratch to the same figures. Runs one chunk at a time, off the anchorer's path, giving way to ingest.
 */
export class StatsIndexer {
  private queue: Promise<void> = Promise.resolve();

  /** `busy` says whether ingest has work in hand now; while it does, the index gives way (see {@link turn}). */
  constructor(
    private readonly store: Store,
    private readonly terms: TermsSource,
    private readonly log: Logger,
    private readonly busy: () => boolean = () => false,
  ) {}

  /**
   * At start: a rebuild when asked (STATS_REBUILD=1) or when the index on disk is of another format (an older
   * version's), else the batches anchored since. Returns at once.
   */
  async start(rebuild: boolean): Promise<void> {
    const format = await this.store.getMeta<number>(STATS_FORMAT);
    if (!rebuild && format === STATS_FORMAT_VERSION) return this.kick();
    if (!rebuild) this.log.info({ format }, "stats index of another format: rebuilding it from the anchored batches");
    void this.rebuild().catch(() => undefined); // logged by rebuild
  }

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
        { type: "meta", name: STATS_FORMAT, value: STATS_FORMAT_VERSION },
      ]);
      await this.catchUp();
    });
    this.queue = done.catch((err: unknown) => this.log.error({ err }, "stats index rebuild failed"));
    return done;
  }

  private async catchUp(): Promise<void> {
    for (let seq = ((await this.store.getMeta<number>(STATS_WATERMARK)) ?? -1) + 1; ; seq++) {
      const batch = await this.store.getBatch(seq);
      if (!isAnchored(batch)) return;
      await this.indexBatch(seq, batch.anchoredAt);
    }
  }

  /**
   * Takes in batch `seq`'s leaves STATS_CHUNK at a time, each chunk in one atomic write with the position
   * reached (STATS_PART), the last one with the watermark: a crash resumes at the chunk it was in (taking a
   * chunk in again would change nothing anyway: events merge by digest, facts are replaced by difference).
   */
  private async indexBatch(seq: number, anchoredAt: number): Promise<void> {
    const leaves = (await this.store.getLeaves(seq))?.digests ?? [];
    const part = await this.store.getMeta<Part | null>(STATS_PART);
    for (let from = part?.seq === seq ? part.leaves : 0; ; from += STATS_CHUNK) {
      await this.turn();
      const to = Math.min(from + STATS_CHUNK, leaves.length);
      const tx = new StatsTx(this.store);
      const touched = await this.touched(leaves.slice(from, to), anchoredAt);
      // One read for the chunk's loans (one task of LevelDB's thread pool, not one per loan: ingest shares it).
      const held = await this.store.getLoanStats(touched);
      for (const [i, t] of touched.entries()) await this.takeIn(tx, t, held[i], seq);
      const last = to >= leaves.length;
      await tx.commit(
        last
          ? [
              { type: "meta", name: STATS_WATERMARK, value: seq },
              { type: "meta", name: STATS_PART, value: null },
            ]
          : [{ type: "meta", name: STATS_PART, value: { seq, leaves: to } satisfies Part }],
      );
      if (last) return;
    }
  }

  /** The loans `digests` (leaves of one batch) touched, with their receipts there. */
  private async touched(digests: string[], anchoredAt: number): Promise<Touched[]> {
    const byLoan = new Map<string, Touched>();
    (await this.store.getReceipts(digests)).forEach((rec, i) => {
      if (!rec) return;
      const agreementId = rec.receipt.agreementId.toLowerCase();
      const loanId = rec.receipt.loanId.toLowerCase();
      const key = `${agreementId}:${loanId}`;
      let t = byLoan.get(key);
      if (!t) byLoan.set(key, (t = { agreementId, loanId, events: [] }));
      t.events.push(loanEvent(digests[i] as string, rec.receipt, anchoredAt));
    });
    return [...byLoan.values()];
  }

  /** Adds `t`'s receipts to the loan's record and replaces its facts by those of all its receipts so far. */
  private async takeIn(tx: StatsTx, t: Touched, held: LoanStats | undefined, seq: number): Promise<void> {
    const { agreementId, loanId } = t;
    const versions = await this.terms.get(agreementId);
    if (!versions || versions.length === 0) {
      this.log.error({ agreementId, loanId, seq }, "stats: stored receipts name an agreement the registry lacks");
      return;
    }
    const events = mergeEvents(held?.events ?? [], t.events);
    if (events.length > MAX_LOAN_EVENTS) {
      this.log.warn({ agreementId, loanId, seq }, `stats: loan past ${MAX_LOAN_EVENTS} receipts keeps its figures`);
      return;
    }
    try {
      const facts = loanFacts(loanId, timelineEvents(agreementId, loanId, events), versions);
      await tx.replaceLoan(agreementId, loanId, { facts, events }, held?.facts ?? []);
    } catch (err) {
      this.log.error({ err, agreementId, loanId, seq }, "stats: the loan's timeline could not be evaluated");
    }
  }

  /**
   * Ingest first: before each chunk the index lets the event loop run what is waiting (setImmediate), and
   * while ingest has requests in hand it waits BUSY_PAUSE_MS more — leaving the main thread to ingest, never
   * stopped, so it catches up once ingest eases.
   */
  private async turn(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.busy()) await new Promise<void>((resolve) => setTimeout(resolve, BUSY_PAUSE_MS));
  }
}
