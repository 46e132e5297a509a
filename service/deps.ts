import type { Logger } from "pino";
import type { AccessContext } from "./access/auth";
import type { Backlog } from "./batches/Backlog";
import type { PendingQueue } from "./batches/PendingQueue";
import type { AgreementRelay } from "./chain/AgreementRelay";
import type { Anchorer } from "./chain/Anchorer";
import type { TermsCache } from "./chain/TermsCache";
import type { Config } from "./config";
import type { EventHub } from "./events/EventHub";
import type { Admission } from "./ingest/Admission";
import type { WorkerPool } from "./ingest/WorkerPool";
import type { Metrics } from "./metrics";
import type { Identity, Reader } from "./read/Reader";
import type { Store } from "./store/Store";

export type { Identity };

/** Everything the HTTP app uses; built by startService (server.ts) from the pipeline (pipeline.ts). */
export interface AppDeps {
  config: Config;
  identity: Identity;
  store: Store;
  terms: TermsCache;
  /** What the read routes stand on (store, terms, identity, regulators, shared caches). */
  reader: Reader;
  /** Who may read: tokens, share grants, contract-wallet signatures, revocations. */
  access: AccessContext;
  /** The ingest path: workers preprocess, admission decides and commits. */
  pool: WorkerPool;
  admission: Admission;
  /** The pending queue (for the overdue-anchor alerts) and the backlog bound (for /healthz). */
  queue: PendingQueue;
  backlog: Backlog;
  anchorer: Anchorer;
  /** Relays signed agreements to the registry (POST /v1/agreements). */
  relay: AgreementRelay;
  metrics: Metrics;
  /** The live event bus behind GET /v1/events. */
  events: EventHub;
  /** Several instances on one database: how many are alive (the rate limit is shared out between them). */
  instances?: { count(): number };
  log: Logger;
}
