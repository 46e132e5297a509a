import type { Logger } from "pino";
import { KIND, sameAddress, type Ack } from "@repayproof/verifier/core";
import type { Backlog } from "../batches/Backlog";
import type { PendingQueue } from "../batches/PendingQueue";
import type { Metrics } from "../metrics";
import { acceptedReceipt, type Accepted } from "../read/receiptStatus";
import type { StreamReaders } from "../read/StreamReaders";
import type { GroupCommitter } from "../store/GroupCommitter";
import type { LostNonce, Store, WriteOp } from "../store/Store";
import type { AckSigner, SignedAcks } from "./AckSigner";
import { passOps, type JobReceipts, type NewReceipt } from "./passOps";
import { isItemError, type ItemError, type ItemResult, type Prepared } from "./preprocess";
import { itemError, type TermsSource } from "./roles";
import { screenItems, type WalletSignatures } from "./screenItems";
import { orphanVoids, StagedReceipts, stagedHeld, writtenHere, type Staged } from "./StagedReceipts";

export type ItemAnswer = Accepted | ItemError;
export type { Accepted };

type Decision = NewReceipt | { kind: "dup"; digest: string; staged?: Staged } | ItemError;

interface Job {
  items: Prepared[];
  acceptedAt: number;
  resolve: (d: Decision[]) => void;
  reject: (e: unknown) => void;
}

export interface AdmissionDeps {
  store: Store;
  committer: GroupCommitter;
  terms: TermsSource;
  /** Asked about receipts whose signature is not their attester's by ECDSA (contract-wallet attesters). */
  wallets: WalletSignatures;
  /** Where accepted receipts go next (in the same atomic write as the receipts themselves). */
  queue: PendingQueue;
  backlog: Backlog;
  acks: AckSigner;
  /** Our stream's reader (its stored Acks), and the others': a receipt resubmitted here may be sealed in any. */
  streams: StreamReaders;
  metrics: Metrics;
  log: Logger;
  /** Told of each newly stored receipt once it is durable (the live event stream). Never throws. */
  onAccepted?: (item: Prepared, ack: Ack) => void;
  /** How far ahead of our clock a receipt's `occurredAt` may be (MAX_FUTURE_SKEW_S); beyond: INVALID_TIME. */
  maxFutureSkewS: number;
}

/**
 * Admission of prepared receipts (ECDSA signature already checked): `occurredAt` not ahead of our clock by more
 * than MAX_FUTURE_SKEW_S (a post-dated receipt would make someone look late), the attester's role under the agreement
 * version in force at `occurredAt`, a contract-wallet attester's ERC-1271 answer (ingest/screenItems), the (attester, nonce) rule, VOIDED's `ref`, and the backlog bound; then
 * the Acks of what it accepted (ingest/AckSigner), one durable group-committed write that also appends them
 * to the pending queue, and the answer. Refusals store nothing.
 *
 * Nonce checks run in one serial loop: each pass reads the nonce index for every queued item, decides in
 * arrival order against that read plus the in-memory `staged` set (written but maybe not yet synced), and
 * forgets staged entries only at the start of a later pass, after they are on disk — so no pass can miss
 * a nonce that is neither in its read nor in `staged`.
 */
export class Admission {
  private readonly staged = new StagedReceipts();
  private queue: Job[] = [];
  private looping = false;

  constructor(private readonly deps: AdmissionDeps) {}

  /** Judges each item (accepted together at `acceptedAt`); answers in order. Never throws for one item's fault. */
  async admit(items: ItemResult[], acceptedAt: number): Promise<ItemAnswer[]> {
    const answers: (ItemAnswer | undefined)[] = new Array(items.length);
    const { refusals, candidates } = await screenItems(items, acceptedAt, this.deps);
    for (const [index, refusal] of refusals) answers[index] = refusal;
    if (candidates.length > 0) {
      const decisions = await new Promise<Decision[]>((resolve, reject) => {
        this.queue.push({ items: candidates.map((c) => c.item), acceptedAt, resolve, reject });
        if (!this.looping) void this.loop();
      });
      await Promise.all(
        decisions.map(async (d, i) => {
          const c = candidates[i] as { index: number; item: Prepared };
          const answer = await this.answer(d, c.item);
          answers[c.index] = answer;
          if (!isItemError(d) && d.kind === "new" && !isItemError(answer) && writtenHere(d.staged)) {
            this.deps.onAccepted?.(c.item, answer.ack);
          }
        }),
      );
    }
    for (const a of answers) if (a && isItemError(a)) this.deps.metrics.refused.inc({ code: a.error.code });
    return answers as ItemAnswer[];
  }

  private async loop(): Promise<void> {
    this.looping = true;
    try {
      while (this.queue.length > 0) {
        this.staged.forgetSettled();
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

  /** What the store already holds for this pass: the digest each nonce names, and the attester of each VOIDED ref. */
  private async read(jobs: Job[]): Promise<{ nonces: Map<string, string>; refAttesters: Map<string, string> }> {
    const all = jobs.flatMap((j) => j.items);
    const refs = all.filter((it) => it.kind === KIND.VOIDED).map((it) => it.ref);
    // A void of a receipt still being written waits for that write: it may yet lose its nonce inside it.
    await Promise.allSettled(refs.map((ref) => this.staged.byDigestOf(ref)?.done));
    const [owners, voided] = await Promise.all([this.deps.store.nonceOwners(all), this.deps.store.getReceipts(refs)]);
    const nonces = new Map<string, string>();
    all.forEach((it, i) => {
      const v = owners[i];
      if (v !== undefined) nonces.set(nonceKey(it), v);
    });
    const refAttesters = new Map<string, string>();
    refs.forEach((ref, i) => {
      const v = voided[i];
      if (v !== undefined) refAttesters.set(ref, v.receipt.attester);
    });
    return { nonces, refAttesters };
  }

  /** Decides one item against what is stored and staged; stages it when new (no await: nothing changes underneath). */
  private decide(it: Prepared, seen: { nonces: Map<string, string>; refAttesters: Map<string, string> }): Decision {
    const st = this.staged.byNonceOf(it.attester, it.nonce);
    const existing = st ? (st.lostTo ?? st.digest) : seen.nonces.get(nonceKey(it));
    if (existing !== undefined) {
      if (existing !== it.digest) return nonceConflict(existing);
      return { kind: "dup", digest: it.digest, ...(st ? { staged: st } : {}) };
    }
    if (it.kind === KIND.VOIDED) {
      // A ref staged in this pass, or written by an earlier one (read() waited for it): held unless refused in
      // its write; after a failed write, whatever the store read found (the write may have landed).
      const st = this.staged.byDigestOf(it.ref);
      const refAttester = st && !st.failed ? (stagedHeld(st) ? st.attester : undefined) : seen.refAttesters.get(it.ref);
      if (refAttester === undefined || !sameAddress(refAttester, it.attester)) {
        return refNotHeld(it.ref);
      }
    }
    const refused = this.deps.backlog.reserve(it.agreementId);
    if (refused) return itemError(refused.code, refused.message, refused.details);
    return { kind: "new", staged: this.staged.stage(it.attester, it.nonce, it.digest), item: it };
  }

  /** Decides every item of `jobs` synchronously, signs each job's Acks, and starts one group commit. */
  private pass(jobs: Job[], seen: { nonces: Map<string, string>; refAttesters: Map<string, string> }): void {
    const results = jobs.map((job) => job.items.map((it) => this.decide(it, seen)));
    const units: JobReceipts[] = jobs.map((job, i) => ({
      acceptedAt: job.acceptedAt,
      accepted: (results[i] as Decision[]).filter((d): d is NewReceipt => !isItemError(d) && d.kind === "new"),
    }));
    if (units.some((u) => u.accepted.length > 0)) this.commit(units);
    jobs.forEach((j, i) => j.resolve(results[i] as Decision[]));
  }

  /**
   * Writes the pass's receipts and their pending-queue entry in one group commit; settles the staged entries.
   * Should another instance have taken some of their nonces meanwhile, the write's redo marks those receipts
   * lost and writes the rest again without them (re-signed Acks; ./passOps.ts); their places go back after.
   */
  private commit(units: JobReceipts[]): void {
    const { committer, queue, backlog, metrics, log, acks } = this.deps;
    const nowMs = Date.now();
    const first = passOps(units, acks, nowMs);
    const entry = queue.append(first.queued);
    const redo = (lost: readonly LostNonce[]): WriteOp[] => {
      const owners = new Map(lost.map((l) => [nonceKey(l), l.owner]));
      for (const u of units) for (const d of u.accepted) d.staged.lostTo = owners.get(nonceKey(d.item));
      orphanVoids(units.flatMap((u) => u.accepted));
      const kept = units.map((u) => ({ ...u, accepted: u.accepted.filter((d) => writtenHere(d.staged)) }));
      const again = passOps(kept, acks, nowMs);
      return [...again.ops, queue.rewrite(entry, again.queued)];
    };
    const fresh = units.flatMap((u) => u.accepted);
    const done = committer.commit([...first.ops, entry], redo).then(
      () => {
        for (const d of fresh) d.staged.committed = true;
        const lost = fresh.filter((d) => !writtenHere(d.staged));
        for (const d of lost) backlog.unreserve(d.item.agreementId);
        metrics.nonceRacesLost.inc(lost.filter((d) => d.staged.lostTo !== undefined).length);
        const stored = fresh.length - lost.length;
        metrics.accepted.inc(stored);
        metrics.commitSize.observe(stored);
        queue.committed(stored);
      },
      (err: unknown) => {
        for (const d of fresh) d.staged.failed = true;
        backlog.releaseNewest(fresh.length);
        // No Ack went out; but the write may have landed (its answer lost), and then the batcher seals it.
        queue.failed();
        log.error({ err }, "group commit failed");
        throw err;
      },
    );
    done.catch(() => undefined);
    for (const d of fresh) d.staged.done = done;
  }

  private async answer(d: Decision, item: Prepared): Promise<ItemAnswer> {
    if (isItemError(d)) return d;
    try {
      await d.staged?.done;
      // A void whose receipt lost its nonce inside the write: refused as a void of a receipt not held.
      if (d.staged?.orphanOf !== undefined) return refNotHeld(d.staged.orphanOf);
      // Lost to another instance inside the write: refused like any taken nonce, or the same receipt, held.
      const lostTo = d.staged?.lostTo;
      if (lostTo !== undefined && lostTo !== item.digest) return nonceConflict(lostTo);
      if (d.kind === "new" && lostTo === undefined) {
        return { digest: item.digest, status: "pending", ack: (d.acks as SignedAcks).ack(d.index as number) };
      }
      return await acceptedReceipt(this.deps.streams, item.digest);
    } catch (err) {
      // The database is away (a restart): the whole request is answered 503 with Retry-After, no Ack in it.
      if ((err as { code?: unknown } | null)?.code === "STORE_UNAVAILABLE") throw err;
      this.deps.log.error({ err, digest: item.digest }, "could not store a receipt");
      return itemError("INTERNAL", "the receipt could not be stored; retry");
    }
  }
}

const nonceKey = (it: { attester: string; nonce: string }): string => `${it.attester.toLowerCase()}:${it.nonce}`;

const nonceConflict = (digest: string): ItemError =>
  itemError("NONCE_CONFLICT", "this (attester, nonce) already names another receipt", { digest });

const refNotHeld = (ref: string): ItemError =>
  itemError("NOT_AUTHORIZED_FOR_KIND", "VOIDED must name (in ref) a receipt held here signed by the same attester", {
    ref,
  });
