import type { TermsSource } from "../ingest/roles";
import type { Store } from "../store/Store";
import type { BatchTrees } from "./proofBundle";
import type { StoredAcks } from "./storedAcks";

/** Who we are on chain, fixed at start. */
export interface Identity {
  chainId: number;
  registry: string;
  anchor: string;
  stream: string;
  operator: string;
  domainSeparator: string;
}

/**
 * What every read (proofs, timelines, alerts, reconciliation) stands on: the stored records, the agreements'
 * terms, who we are, who may read everything, and the shared caches of batch trees and Acks. Reads never
 * touch the ingest pipeline.
 */
export interface Reader {
  store: Store;
  terms: TermsSource;
  identity: Identity;
  /** Addresses that may read every agreement (lower case). */
  regulators: readonly string[];
  trees: BatchTrees;
  acks: StoredAcks;
}
