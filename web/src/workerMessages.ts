import type { Outcome } from "./verifyFile";

/** The contracts the reader pinned (either may be absent: unpinned). */
export interface Contracts {
  anchor?: string;
  registry?: string;
}

/** What the page tells a verification worker: where to verify (once), then files to verify, `i` numbering them. */
export type ToWorker =
  | { type: "init"; rpcUrl: string; chainId: string; contracts: Contracts }
  | { type: "verify"; files: { i: number; file: File }[] };

/**
 * What a worker answers for file `i`: its outcome, or `failed` when it could not (the file unreadable, the outcome not cloneable) — the page then verifies that file itself.
 */
export type FromWorker = { type: "result"; i: number; outcome: Outcome } | { type: "failed"; i: number };
