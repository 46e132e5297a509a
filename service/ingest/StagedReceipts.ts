/** A receipt decided new by admission and written, maybe not yet synced. */
export interface Staged {
  digest: string;
  attester: string;
  committed: boolean;
  failed: boolean;
  /** Set inside its write when another instance had taken its nonce: the digest that holds it (Store.ts Redo). */
  lostTo?: string;
  /** Settles when its group commit does. */
  done: Promise<void>;
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
