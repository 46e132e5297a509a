import type { Logger } from "pino";
import type { Admission } from "./admission";
import type { Batcher } from "./batcher";
import type { AgreementRelay } from "./chain/AgreementRelay";
import type { Anchorer } from "./chain/Anchorer";
import type { Chain } from "./chain/Chain";
import type { TermsCache } from "./chain/TermsCache";
import type { TxSender } from "./chain/TxSender";
import type { Config } from "./config";
import type { EventHub } from "./EventHub";
import type { WorkerPool } from "./ingest/WorkerPool";
import type { Metrics } from "./metrics";
import type { Store } from "./store/Store";

/** Who we are on chain, fixed at start. */
export interface Identity {
  chainId: number;
  registry: string;
  anchor: string;
  stream: string;
  operator: string;
  domainSeparator: string;
}

/** Everything the HTTP app uses; built by startService (or a test). */
export interface AppDeps {
  config: Config;
  identity: Identity;
  store: Store;
  admission: Admission;
  pool: WorkerPool;
  terms: TermsCache;
  chain: Chain;
  sender: TxSender;
  /** Relays signed agreements to the registry (POST /v1/agreements). */
  relay: AgreementRelay;
  anchorer: Anchorer;
  batcher: Batcher;
  metrics: Metrics;
  /** The live event bus behind GET /v1/events. */
  events: EventHub;
  log: Logger;
}
