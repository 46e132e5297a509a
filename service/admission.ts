import type { Logger } from "pino";
import {
  isAuthorizedUnder,
  KIND,
  sameAddress,
  versionInForce,
  type Ack,
  type AgreementVersion,
} from "@repayproof/verifier";
import { ApiError, isApiError, type ErrorCode } from "./errors";
import { isItemError, type ItemError, type ItemResult, type Prepared } from "./ingest/preprocess";
import type { Metrics } from "./metrics";
import type { GroupCommitter } from "./store/GroupCommitter";
import { nonceKey, pendingKey, type Store, type WriteOp } from "./store/Store";
import type { StoredReceipt } from "./store/records";

/** A receipt's lifecycle as the API reports it. */
export type ReceiptStatus = "pending" | "sealed" | "submitted" | "anchored" | "final";

export interface Accepted {
  digest: string;
  status: ReceiptStatus;
  ack: Ack;
}

export type ItemAnswer = Accepted | ItemError;

/** What admission needs from the batcher: counts for the backlog bound, and a nudge after each commit. */
export interface BacklogSource {
  backlog(): number;
  onCommitted(receipts: number): void;
  nextPendingKey(): number;
}

export interface TermsSource {
  get(agreementId: string): Promise<AgreementVersion[] | undefined>;
}

interface Staged {
  digest: string;
  attester: string;
  committed: boolean;
  failed: boolean;
  done: Promise<void>;
}

type Decision =
  { kind: "new"; staged: Staged; ack: Ack } | { kind: "dup"; digest: string; staged?: Staged } | ItemError;

interface Job {
  items: Prepared[];
  resolve: (d: Decision[]) => void;
  reject: (e: unknown) => void;
}

const itemError = (code: ErrorCode, message: string, details?: unknown): ItemError => ({
  error: { code, message, ...(details === undefined ? {} : { details }) },
});

/**
 * Admission of prepared receipts (signature already checked): the attester's role under the agreement
 * version in force at `occurredAt`, the (attester, nonce) rule, VOIDED's `ref`, and the backlog bound;
 * then one durable group-committed write and the answer. Refusals store nothing.
 *
 * Nonce checks run in one serial loop: each pass reads the nonce index for every queued item, decides in
 * arrival order against that read plus the in-memory `staged` set (written but maybe not yet synced), and
 * forgets staged entries only at the start of a later pass, after they are on disk — so no pass can miss
 * a nonce that is neither in its read nor in `staged`.
 */
export class Admission {
  private readonly staged = new Map<string, Staged>(); // nonce key → entry
  private readonly stagedDigests = new Map<string, Staged>(); // digest → entry (VOIDED refs)
  private queue: Job[] = [];
  private looping = false;
  private uncommitted = 0;
  /** Told of each newly stored receipt once it is durable (the live event stream). */
  onAccepted: ((item: Prepared) => void) | undefined;

  constructor(
    private readonly store: Store,
    private readonly committer: GroupCommitter,
    private readonly terms: TermsSource,
    private readonly batcher: BacklogSource,
    private readonly metrics: Metrics,
    private readonly backlogMax: number,
    private readonly log: Logger,
  ) {}

  /** Judges each item; answers in order. Never throws for a single item's fault. */
  async admit(items: ItemResult[]): Promise<ItemAnswer[]> {
    const answers: (ItemAnswer | undefined)[] = new Array(items.length);
    const termsById = await this.loadTerms(items);
    const candidates: { index: number; item: Prepared }[] = [];
    items.forEach((item, index) => {
      if (isItemError(item)) answers[index] = item;
      else {
        const refusal = this.checkRole(item, termsById.get(item.agreementId));
        if (refusal) answers[index] = refusal;
        else candidates.push({ index, item });
      }
    });
    if (candidates.length > 0) {
      const decisions = await new Promise<Decision[]>((resolve, reject) => {
        this.queue.push({ items: candidates.map((c) => c.item), resolve, reject });
        if (!this.looping) void this.loop();
      });
      await Promise.all(
        decisions.map(async (d, i) => {
          const c = candidates[i] as { index: number; item: Prepared };
          answers[c.index] = await this.answer(d, c.item);
          if (!isItemError(d) && d.kind === "new" && !isItemError(answers[c.index])) this.onAccepted?.(c.item);
        }),
      );
    }
    for (const a of answers) {
      if (a && isItemError(a)) this.metrics.refused.inc({ code: a.error.code });
    }
    return answers as ItemAnswer[];
  }

  private async loadTerms(items: ItemResult[]): Promise<Map<string, AgreementVersion[] | ApiError | undefined>> {
    const ids = new Set<string>();
    for (const it of items) if (!isItemError(it)) ids.add(it.agreementId);
    const out = new Map<string, AgreementVersion[] | ApiError | undefined>();
    await Promise.all(
      [...ids].map(async (id) => {
        try {
          out.set(id, await this.terms.get(id));
        } catch (e) {
          out.set(id, isApiError(e) ? e : new ApiError("CHAIN_UNAVAILABLE", "the registry cannot be read now"));
        }
      }),
    );
    return out;
  }

  private checkRole(item: Prepared, versions: AgreementVersion[] | ApiError | undefined): ItemError | undefined {
    if (versions instanceof ApiError) return itemError(versions.code, versions.message);
    if (!versions || versions.length === 0) {
      return itemError("UNKNOWN_AGREEMENT", "the registry has no such agreement", { agreementId: item.agreementId });
    }
    const v = versionInForce(versions, item.occurredAt);
    if (!v || !isAuthorizedUnder(v.terms, item.attester, item.kind)) {
      return itemError(
        "NOT_AUTHORIZED_FOR_KIND",
        "the attester may not sign this kind under the agreement version in force",
        {
          version: v?.version,
          kind: item.kind,
        },
      );
    }
    return undefined;
  }

  private async loop(): Promise<void> {
    this.looping = true;
    try {
      while (this.queue.length > 0) {
        for (const [k, s] of this.staged) {
          if (s.committed || s.failed) {
            this.staged.delete(k);
            if (this.stagedDigests.get(s.digest) === s) this.stagedDigests.delete(s.digest);
          }
        }
        const jobs = this.queue;
        this.queue = [];
        try {
          this.pass(jobs, await this.read(jobs));
        } catch (e) {
          for (const j of jobs) j.reject(e);
        }
      }
    } finally {
      this.looping = false;
    }
  }

  private async read(jobs: Job[]): Promise<{ nonces: Map<string, string>; refs: Map<string, StoredReceipt> }> {
    const nonceKeys: string[] = [];
    const refKeys: string[] = [];
    for (const j of jobs) {
      for (const it of j.items) {
        nonceKeys.push(nonceKey(it.attester, it.nonce));
        if (it.kind === KIND.VOIDED) refKeys.push(it.ref);
      }
    }
    const [nv, rv] = await Promise.all([
      this.store.nonces.getMany(nonceKeys),
      refKeys.length ? this.store.receipts.getMany(refKeys) : [],
    ]);
    const nonces = new Map<string, string>();
    nonceKeys.forEach((k, i) => {
      const v = nv[i];
      if (v !== undefined) nonces.set(k, v);
    });
    const refs = new Map<string, StoredReceipt>();
    refKeys.forEach((k, i) => {
      const v = rv[i];
      if (v !== undefined) refs.set(k, JSON.parse(v) as StoredReceipt);
    });
    return { nonces, refs };
  }

  /** Decides every item of `jobs` synchronously (no await: `staged` cannot change underneath). */
  private pass(jobs: Job[], seen: { nonces: Map<string, string>; refs: Map<string, StoredReceipt> }): void {
    const ops: WriteOp[] = [];
    const fresh: Staged[] = [];
    const s = this.store;
    let backlog = this.batcher.backlog() + this.uncommitted;
    const loansSeen = new Set<string>();
    // One pending-queue entry per pass (digest:acceptedAtMs, comma-separated): fewer writes per receipt.
    const queued: string[] = [];
    const now = Date.now();
    const results: Decision[][] = jobs.map((job) =>
      job.items.map((it): Decision => {
        const nk = nonceKey(it.attester, it.nonce);
        const st = this.staged.get(nk);
        const existing = st?.digest ?? seen.nonces.get(nk);
        if (existing !== undefined) {
          if (existing !== it.digest) {
            return itemError("NONCE_CONFLICT", "this (attester, nonce) already names another receipt", {
              digest: existing,
            });
          }
          return { kind: "dup", digest: it.digest, ...(st ? { staged: st } : {}) };
        }
        if (it.kind === KIND.VOIDED) {
          const refAttester = this.stagedDigests.get(it.ref)?.attester ?? seen.refs.get(it.ref)?.receipt.attester;
          if (refAttester === undefined || !sameAddress(refAttester, it.attester)) {
            return itemError(
              "NOT_AUTHORIZED_FOR_KIND",
              "VOIDED must name (in ref) a receipt held here signed by the same attester",
              {
                ref: it.ref,
              },
            );
          }
        }
        if (backlog >= this.backlogMax) {
          return itemError(
            "CHAIN_UNAVAILABLE",
            `the anchoring backlog is full (${this.backlogMax} receipts); retry later`,
            {
              backlogMax: this.backlogMax,
            },
          );
        }
        backlog++;
        const entry: Staged = {
          digest: it.digest,
          attester: it.attester,
          committed: false,
          failed: false,
          done: Promise.resolve(),
        };
        this.staged.set(nk, entry);
        this.stagedDigests.set(it.digest, entry);
        fresh.push(entry);
        const loan = it.loanId;
        ops.push(
          { type: "put", sublevel: s.receipts, key: it.digest, value: it.record },
          { type: "put", sublevel: s.nonces, key: nk, value: it.digest },
          { type: "put", sublevel: s.loans, key: `${loan}:${it.digest}`, value: "" },
        );
        const al = `${it.agreementId}:${loan}`;
        if (!loansSeen.has(al)) {
          loansSeen.add(al);
          ops.push({ type: "put", sublevel: s.agreementLoans, key: al, value: "" });
        }
        queued.push(`${it.digest}:${now}`);
        return { kind: "new", staged: entry, ack: it.ack };
      }),
    );
    if (fresh.length > 0) {
      ops.push({
        type: "put",
        sublevel: s.pending,
        key: pendingKey(this.batcher.nextPendingKey()),
        value: queued.join(","),
      });
      this.uncommitted += fresh.length;
      const done = this.committer.commit(ops).then(
        () => {
          this.uncommitted -= fresh.length;
          for (const e of fresh) e.committed = true;
          this.metrics.accepted.inc(fresh.length);
          this.metrics.commitSize.observe(fresh.length);
          this.batcher.onCommitted(fresh.length);
        },
        (err: unknown) => {
          this.uncommitted -= fresh.length;
          for (const e of fresh) e.failed = true;
          this.log.error({ err }, "group commit failed");
          throw err;
        },
      );
      done.catch(() => undefined);
      for (const e of fresh) e.done = done;
    }
    jobs.forEach((j, i) => j.resolve(results[i] as Decision[]));
  }

  private async answer(d: Decision, item: Prepared): Promise<ItemAnswer> {
    if (isItemError(d)) return d;
    try {
      if (d.kind === "new") {
        await d.staged.done;
        return { digest: item.digest, status: "pending", ack: d.ack };
      }
      if (d.staged) await d.staged.done;
      return await this.current(d.digest);
    } catch (err) {
      this.log.error({ err, digest: item.digest }, "could not store a receipt");
      return itemError("INTERNAL", "the receipt could not be stored; retry");
    }
  }

  /** The stored answer for an accepted receipt: its original Ack and current status. */
  async current(digest: string): Promise<Accepted> {
    const rec = await this.store.getReceipt(digest);
    if (!rec) throw new ApiError("INTERNAL", `receipt ${digest} vanished`);
    return {
      digest,
      status: await statusOf(this.store, digest),
      ack: { acceptedAt: rec.acceptedAt, anchorBy: rec.anchorBy, signature: rec.ackSignature },
    };
  }
}

/** The API status of an accepted receipt, from its batch's state. */
export async function statusOf(store: Store, digest: string): Promise<ReceiptStatus> {
  const seq = await store.batchSeqOf(digest);
  if (seq === undefined) return "pending";
  const b = await store.getBatch(seq);
  return b ? (b.state.toLowerCase() as ReceiptStatus) : "pending";
}
