import type { Logger } from "pino";
import { Backlog } from "./batches/Backlog";
import { Batcher } from "./batches/Batcher";
import { PendingQueue } from "./batches/PendingQueue";
import { AnchorTx } from "./chain/AnchorTx";
import { Anchorer } from "./chain/Anchorer";
import type { Chain } from "./chain/Chain";
import type { TxSender } from "./chain/TxSender";
import type { Config } from "./config";
import { publishAccepted, type EventHub } from "./events/EventHub";
import { AckSigner } from "./ingest/AckSigner";
import { Admission } from "./ingest/Admission";
import type { TermsSource } from "./ingest/roles";
import type { WalletSignatures } from "./ingest/screenItems";
import { WorkerPool } from "./ingest/WorkerPool";
import type { Metrics } from "./metrics";
import type { Identity, Reader } from "./read/Reader";
import { StreamReaders } from "./read/StreamReaders";
import { GroupCommitter } from "./store/GroupCommitter";
import type { Store } from "./store/Store";
import type { BatchRecord } from "./store/records";

export interface PipelineDeps {
  config: Config;
  identity: Identity;
  operatorKey: string;
  store: Store;
  chain: Chain;
  sender: TxSender;
  terms: TermsSource;
  /** Contract wallets' answers (ERC-1271), for receipts signed by one. */
  wallets: WalletSignatures;
  /** What reads stand on: a resubmitted receipt is answered with its stored Ack and its status in any stream. */
  reader: Reader;
  events: EventHub;
  metrics: Metrics;
  log: Logger;
  /** Told of each batch once it is anchored (the breach watcher). */
  onAnchored: (b: BatchRecord) => void;
  /** Instances alive on a shared database (store/postgres/LiveInstances.ts): the backlog's bounds are shared out. */
  instances?: { count(): number };
}

/** The ingest path's stages, wired, with one start and one close. */
export interface Pipeline {
  pool: WorkerPool;
  admission: Admission;
  queue: PendingQueue;
  backlog: Backlog;
  batcher: Batcher;
  anchorer: Anchorer;
  start(): void;
  close(): Promise<void>;
}

/**
 * The one place the ingest stages are wired, in the direction data flows: workers preprocess a request →
 * admission decides, signs the Acks and commits (group commit) the receipts with their pending-queue entry
 * → the batcher takes from the queue and seals → the anchorer anchors, and releases the backlog. Each stage
 * gets the next one (or a shared counter) at construction; none reaches back into an earlier one: the
 * anchorer's room() is the only signal upstream, and the batcher awaits it.
 */
export async function createPipeline(d: PipelineDeps): Promise<Pipeline> {
  const { config, store, metrics, log } = d;
  const queue = new PendingQueue(store);
  await queue.init();
  let unanchored = 0;
  for (const b of await store.unfinishedBatches())
    if (b.state === "SEALED" || b.state === "SUBMITTED") unanchored += b.count;
  const backlog = new Backlog(
    config.backlogMax,
    queue.size() + unanchored,
    (n) => metrics.backlog.set(n),
    config.backlogPerAgreement,
    d.instances && (() => (d.instances as { count(): number }).count()),
  );

  const anchorer = new Anchorer(
    d.chain,
    new AnchorTx(d.chain, d.sender, d.identity.stream, config.txStuckS * 1000, log),
    store,
    backlog,
    { stream: d.identity.stream, confirmations: config.confirmations, pollMs: config.pollMs, onAnchored: d.onAnchored },
    metrics,
    log,
  );
  await anchorer.init();
  const batcher = new Batcher(
    store,
    queue,
    anchorer,
    { batchMax: config.batchMax, intervalMs: config.batchIntervalMs },
    metrics,
    log,
  );
  await batcher.init();
  const committer = new GroupCommitter(store);
  const admission = new Admission({
    store,
    committer,
    terms: d.terms,
    wallets: d.wallets,
    queue,
    backlog,
    acks: new AckSigner(d.identity.domainSeparator, d.operatorKey, config.maxAnchorDelayS),
    streams: new StreamReaders(d.reader),
    metrics,
    log,
    onAccepted: (item, ack) => publishAccepted(d.events, item, ack),
    maxFutureSkewS: config.maxFutureSkewS,
  });
  const pool = new WorkerPool(
    { domainSeparator: d.identity.domainSeparator },
    config.workers,
    log,
    config.mainThreadVerifies,
  );
  pool.maxQueued = config.ingestQueueMax;

  return {
    pool,
    admission,
    queue,
    backlog,
    batcher,
    anchorer,
    start() {
      anchorer.start();
      batcher.start();
    },
    async close() {
      await batcher.close();
      await anchorer.close();
      await committer.drain();
      await pool.close();
    },
  };
}
