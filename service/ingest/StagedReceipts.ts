import { KIND } from "@repayproof/verifier/core";
import type { Prepared } from "./preprocess";

/** A receipt decided new by admission and written, maybe not yet synced. */
export interface Staged {
  digest: string;
  attester: string;
  committed: boolean;
  failed: boolean;
  /** Set inside its write when another instance had taken its nonce: the digest that holds it (Store.ts Redo). */
  lostTo?: string;
  /** Set inside its write for a VOIDED whose ref was a receipt of the same write that lost its nonce: that ref. */
  orphanOf?: string;
  /** Settles when its group commit does. */
  done: Promise<void>;
}

/**
 * Whether a staged receipt is stored, or will be when its write lands (by us, or — the same receipt — by
 * another instance): not refused inside its write. A failed write is the caller's to judge (it may have landed).
 */
export function stagedHeld(s: Staged): boolean {
  return s.orphanOf === undefined && (s.lostTo === undefined || s.lostTo === s.digest);
}

/** Not refused inside its write, nor held by another instance instead (the same receipt): its records are ours. */
export const writtenHere = (s: Staged): boolean => s.lostTo === undefined && s.orphanOf === undefined;

/**
 * Inside a write that lost nonces: marks each VOIDED of `accepted` whose ref is a receipt of the same write that
 * lost its nonce to another receipt (so it is not stored), and so on for voids of those, until none is left.
 */
export function orphanVoids(accepted: readonly { item: Prepared; staged: Staged }[]): void {
  for (let changed = true; changed;) {
    changed = false;
    const dropped = new Set(accepted.filter((d) => !stagedHeld(d.staged)).map((d) => d.item.digest));
    for (const d of accepted) {
      if (d.item.kind !== KIND.VOIDED || d.staged.orphanOf !== undefined || !dropped.has(d.item.ref)) continue;
      d.staged.orphanOf = d.item.ref;
      changed = true;
    }
  }
}

const nonceKey = (attester: string, nonce: string): string => `${attester.toLowerCase()}:${nonce}`;

/**
 * Receipts admission has decided but whose write may not be durable yet, by (attester, nonce) and by digest:
 * what a pass must see beside what it read from the store. An entry is forgotten only once its write has
 * settled, at the start of a later pass ({@link forgetSettled}), so no pass misses a nonce that is neither
 * in its read nor here.
 */
export class StagedReceipts {
  private readonly byNonce = new Map<string, Staged>();
  private readonly byDigest = new Map<string, Staged>();

  byNonceOf(attester: string, nonce: string): Staged | undefined {
    return this.byNonce.get(nonceKey(attester, nonce));
  }

  byDigestOf(digest: string): Staged | undefined {
    return this.byDigest.get(digest);
  }

  stage(attester: string, nonce: string, digest: string): Staged {
    const s: Staged = { digest, attester, committed: false, failed: false, done: Promise.resolve() };
    this.byNonce.set(nonceKey(attester, nonce), s);
    this.byDigest.set(digest, s);
    return s;
  }

  forgetSettled(): void {
    for (const [k, s] of this.byNonce) {
      if (!s.committed && !s.failed) continue;
      this.byNonce.delete(k);
      if (this.byDigest.get(s.digest) === s) this.byDigest.delete(s.digest);
    }
  }
}
