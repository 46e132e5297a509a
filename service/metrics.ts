import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The service's Prometheus metrics, on their own registry (several services may share a process in tests). */
export interface Metrics {
  registry: Registry;
  accepted: Counter;
  refused: Counter<"code">;
  backlog: Gauge;
  pending: Gauge;
  batchSize: Histogram;
  anchorLatency: Histogram;
  rpcErrors: Counter;
  commitSize: Histogram;
  /** Receipts whose nonce another instance on the database took between admission's check and the write. */
  nonceRacesLost: Counter;
  /** Contract-wallet (ERC-1271) checks by outcome: valid, invalid (eth_calls made), cached, unavailable. */
  erc1271Checks: Counter<"outcome">;
  /** 1 while an anchor waits because the fee it needs is above MAX_FEE_GWEI (the alert), else 0. */
  feeCapped: Gauge;
  nonceGaps: Counter;
  broadcastsRefused: Counter;
  reorgedBatches: Counter;
  relays: Counter;
}

/** Creates the metrics; `defaults` adds process metrics (memory, event loop lag). */
export function createMetrics(defaults = true): Metrics {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    accepted: new Counter({
      name: "repayproof_receipts_accepted_total",
      help: "Receipts accepted (new, durably stored)",
      registers,
    }),
    refused: new Counter({
      name: "repayproof_receipts_refused_total",
      help: "Receipts refused, by error code",
      labelNames: ["code"],
      registers,
    }),
    nonceRacesLost: new Counter({
      name: "repayproof_nonce_races_lost_total",
      help: "Receipts whose nonce another instance took between admission's check and the write (refused, or held)",
      registers,
    }),
    backlog: new Gauge({ name: "repayproof_backlog_receipts", help: "Accepted receipts not yet anchored", registers }),
    pending: new Gauge({
      name: "repayproof_pending_receipts",
      help: "Accepted receipts not yet sealed into a batch",
      registers,
    }),
    batchSize: new Histogram({
      name: "repayproof_batch_size",
      help: "Receipts per sealed batch",
      buckets: [1, 10, 100, 500, 1000, 2000, 4096, 8192, 16384],
      registers,
    }),
    anchorLatency: new Histogram({
      name: "repayproof_anchor_latency_seconds",
      help: "Time from acceptance to the anchoring transaction being mined",
      buckets: [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.25, 2.5, 2.75, 3, 4, 5, 10, 30, 60, 300, 1800],
      registers,
    }),
    rpcErrors: new Counter({ name: "repayproof_rpc_errors_total", help: "Failed JSON-RPC interactions", registers }),
    commitSize: new Histogram({
      name: "repayproof_group_commit_receipts",
      help: "Receipts per synced LevelDB write (group commit)",
      buckets: [1, 2, 5, 10, 50, 100, 500, 1000, 2000, 5000],
      registers,
    }),
    erc1271Checks: new Counter({
      name: "repayproof_erc1271_checks_total",
      help: "Contract-wallet (ERC-1271) signature checks, by outcome: valid or invalid (an eth_call made), cached, unavailable",
      labelNames: ["outcome"],
      registers,
    }),
    feeCapped: new Gauge({
      name: "repayproof_anchor_fee_capped",
      help: "1 while anchoring waits because the fee it needs is above MAX_FEE_GWEI (alert), else 0",
      registers,
    }),
    nonceGaps: new Counter({
      name: "repayproof_nonce_gaps_total",
      help: "Nonce gaps found (nonces we used that the node no longer knows) and filled",
      registers,
    }),
    broadcastsRefused: new Counter({
      name: "repayproof_broadcasts_refused_total",
      help: "Signed transactions the node refused (their nonce is used again)",
      registers,
    }),
    reorgedBatches: new Counter({
      name: "repayproof_reorged_batches_total",
      help: "Anchored batches whose anchor a reorg removed or moved before they were final",
      registers,
    }),
    relays: new Counter({ name: "repayproof_relays_total", help: "Agreements relayed to the registry", registers }),
  };
}
