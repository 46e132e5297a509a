import fs from "node:fs";
import path from "node:path";
import type { Erc1271Settings } from "./chain/Erc1271Checker";
import { databaseUrl, int, key, str, trustProxy, url } from "./envValues";

/** Service configuration (docs/api.md, "Configuration"): environment variables with documented defaults. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** DATABASE_URL: the PostgreSQL store instead of LevelDB under DATA_DIR (docs/operations.md); a secret. */
  databaseUrl: string | undefined;
  /** Connections to PostgreSQL at most (PG_POOL_MAX). */
  pgPoolMax: number;
  /** JSON-RPC URL of the chain; required by startService (scripts/start.ts fills it for the embedded node). */
  rpcUrl: string;
  /** Operator (anchoring) private key, 0x-hex; undefined = Hardhat account #0, allowed only on chain 31337. */
  operatorKey: string | undefined;
  /** An encrypted JSON keystore holding the operator key (instead of OPERATOR_KEY), and the file with its password. */
  operatorKeystore: string | undefined;
  operatorPasswordFile: string | undefined;
  /** The RPC URL /v1/info publishes (browsers verify against it); else RPC_URL when it holds no secret. */
  publicRpcUrl: string | undefined;
  /** Express `trust proxy`: which proxy hops' X-Forwarded-For to believe for the client address. */
  trustProxy: boolean | number | string;
  /** Requests served at once (event streams aside); beyond: 503 BACKLOG_FULL. */
  maxInFlight: number;
  /** Receipt requests waiting for an ingest worker; beyond: 503 BACKLOG_FULL. */
  ingestQueueMax: number;
  /** Receipts one agreement may hold in the backlog (its fair share of BACKLOG_MAX); beyond: QUOTA_EXCEEDED. */
  backlogPerAgreement: number;
  /** Event streams open at once, in total and per party. */
  sseMax: number;
  sseMaxPerParty: number;
  /** Bytes an event stream may have unsent (a slow reader) before it is closed. */
  sseBufferBytes: number;
  registryAddress: string | undefined;
  anchorAddress: string | undefined;
  /** Deployment block number (from the deployments file), used as the chain identity anchor. */
  deploymentBlock: number | undefined;
  /** Where `deployments/<chainId>.json` files live. */
  deploymentsDir: string;
  stream: string | undefined;
  batchMax: number;
  batchIntervalMs: number;
  /** Blocks (counting the anchor's own) before a batch is FINAL; 0 = by chain (1 on 31337, else 12: server.ts). */
  confirmations: number;
  maxAnchorDelayS: number;
  /** How far ahead of the service's clock a receipt's occurredAt may be (seconds); beyond: INVALID_TIME. */
  maxFutureSkewS: number;
  regulators: string[];
  backlogMax: number;
  /** Worker threads for parse + digest + signature recovery; 0 = on the main thread. */
  workers: number;
  /** Whether the main thread also preprocesses requests when every worker is busy. */
  mainThreadVerifies: boolean;
  /** Requests per second allowed per key (bearer party or client address), with a burst of twice that. */
  rateLimitRps: number;
  /** Seconds after which an unmined anchoring transaction is replaced with higher fees. */
  txStuckS: number;
  /** Milliseconds between polls of the chain (anchor confirmations, registry events). */
  pollMs: number;
  logLevel: string;
  /** When set, a DATA_DIR of another chain is moved aside instead of refusing to start (embedded node only). */
  moveStaleData: boolean;
  /** Bounds of contract-wallet (ERC-1271) signature checks: SIG_CHECK_* (see {@link sigCheckConfig}). */
  sigCheck: Erc1271Settings;
  /** The agreement relay's own key (RELAY_KEY); unset: a dev key on 31337, else the relay is disabled (501). */
  relayKey: string | undefined;
  /** Relays per party per `relayQuotaWindowS` (RELAY_QUOTA), and in all (RELAY_QUOTA_TOTAL). */
  relayQuota: number;
  relayQuotaTotal: number;
  relayQuotaWindowS: number;
  /** Gas limit a relayed registration may use at most (RELAY_GAS_MAX). */
  relayGasMax: number;
  /** Highest fee per gas (gwei) any of our transactions bids, replacements included (MAX_FEE_GWEI). */
  maxFeeGwei: number;
  /** STATS_REBUILD=1: forget the stats index at start and take in every anchored batch again (docs/api.md, "Stats"). */
  statsRebuild: boolean;
  /** STATS_INDEX=0: keep no stats index (no reads or writes on anchoring); `/v1/stats*` answer 501 STATS_DISABLED. */
  statsIndex: boolean;
}

/** Hardhat's well-known account #0: only ever used on chain 31337 (a local development chain). */
export const HARDHAT_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

export const DEFAULTS = {
  PORT: 8080,
  HOST: "127.0.0.1",
  DATA_DIR: "./data",
  NODE_PORT: 8545,
  BATCH_MAX: 4096,
  BATCH_INTERVAL_MS: 2000,
  CONFIRMATIONS: 0,
  MAX_ANCHOR_DELAY_S: 60,
  MAX_FUTURE_SKEW_S: 300,
  BACKLOG_MAX: 1_000_000,
  RATE_LIMIT_RPS: 5000,
  TX_STUCK_S: 30,
  POLL_MS: 500,
  RELAY_QUOTA: 20,
  RELAY_QUOTA_TOTAL: 200,
  RELAY_QUOTA_WINDOW_S: 86_400,
  RELAY_GAS_MAX: 1_500_000,
  MAX_FEE_GWEI: 200,
  PG_POOL_MAX: 10,
  MAX_IN_FLIGHT: 512,
  INGEST_QUEUE_MAX: 64,
  SSE_MAX: 1000,
  SSE_MAX_PER_PARTY: 8,
  SSE_BUFFER_BYTES: 1 << 20,
} as const;

/** Reads the configuration from `env`; throws with a message naming the variable when one is invalid. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const regulators = (str(env, "REGULATORS") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const r of regulators) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(r)) throw new Error(`REGULATORS: "${r}" is not an address`);
  }
  const nodePort = int(env, "NODE_PORT", DEFAULTS.NODE_PORT, 1);
  const backlogMax = int(env, "BACKLOG_MAX", DEFAULTS.BACKLOG_MAX, 1);
  const backlogPerAgreement = int(env, "BACKLOG_PER_AGREEMENT", Math.ceil(backlogMax / 10), 1);
  if (backlogPerAgreement > backlogMax) throw new Error("BACKLOG_PER_AGREEMENT must not exceed BACKLOG_MAX");
  if (str(env, "OPERATOR_KEY") && str(env, "OPERATOR_KEYSTORE"))
    throw new Error("set OPERATOR_KEY or OPERATOR_KEYSTORE, not both");
  if (str(env, "OPERATOR_KEYSTORE") && !str(env, "OPERATOR_PASSWORD_FILE"))
    throw new Error("OPERATOR_KEYSTORE needs OPERATOR_PASSWORD_FILE (the file holding its password)");
  return {
    port: int(env, "PORT", DEFAULTS.PORT),
    host: str(env, "HOST") ?? DEFAULTS.HOST,
    dataDir: path.resolve(str(env, "DATA_DIR") ?? DEFAULTS.DATA_DIR),
    databaseUrl: databaseUrl(env),
    pgPoolMax: int(env, "PG_POOL_MAX", DEFAULTS.PG_POOL_MAX, 1),
    rpcUrl: str(env, "RPC_URL") ?? `http://127.0.0.1:${nodePort}`,
    operatorKey: key(env, "OPERATOR_KEY"),
    operatorKeystore: str(env, "OPERATOR_KEYSTORE"),
    operatorPasswordFile: str(env, "OPERATOR_PASSWORD_FILE"),
    publicRpcUrl: url(env, "PUBLIC_RPC_URL"),
    trustProxy: trustProxy(env),
    maxInFlight: int(env, "MAX_IN_FLIGHT", DEFAULTS.MAX_IN_FLIGHT, 1),
    ingestQueueMax: int(env, "INGEST_QUEUE_MAX", DEFAULTS.INGEST_QUEUE_MAX, 1),
    sseMax: int(env, "SSE_MAX", DEFAULTS.SSE_MAX, 1),
    sseMaxPerParty: int(env, "SSE_MAX_PER_PARTY", DEFAULTS.SSE_MAX_PER_PARTY, 1),
    sseBufferBytes: int(env, "SSE_BUFFER_BYTES", DEFAULTS.SSE_BUFFER_BYTES, 4096),
    registryAddress: str(env, "REGISTRY_ADDRESS"),
    anchorAddress: str(env, "ANCHOR_ADDRESS"),
    deploymentBlock: env.DEPLOYMENT_BLOCK ? int(env, "DEPLOYMENT_BLOCK", 0) : undefined,
    deploymentsDir: path.resolve(str(env, "DEPLOYMENTS_DIR") ?? path.join(projectRoot(), "deployments")),
    stream: str(env, "STREAM"),
    batchMax: int(env, "BATCH_MAX", DEFAULTS.BATCH_MAX, 1),
    batchIntervalMs: int(env, "BATCH_INTERVAL_MS", DEFAULTS.BATCH_INTERVAL_MS, 10),
    confirmations: int(env, "CONFIRMATIONS", DEFAULTS.CONFIRMATIONS, 0),
    maxAnchorDelayS: int(env, "MAX_ANCHOR_DELAY_S", DEFAULTS.MAX_ANCHOR_DELAY_S, 1),
    maxFutureSkewS: int(env, "MAX_FUTURE_SKEW_S", DEFAULTS.MAX_FUTURE_SKEW_S, 0),
    regulators: regulators.map((r) => r.toLowerCase()),
    backlogMax,
    backlogPerAgreement,
    workers: int(env, "WORKERS", defaultWorkers()),
    mainThreadVerifies: (str(env, "MAIN_THREAD_VERIFIES") ?? "0") === "1",
    rateLimitRps: int(env, "RATE_LIMIT_RPS", DEFAULTS.RATE_LIMIT_RPS, 1),
    txStuckS: int(env, "TX_STUCK_S", DEFAULTS.TX_STUCK_S, 1),
    pollMs: int(env, "POLL_MS", DEFAULTS.POLL_MS, 10),
    logLevel: str(env, "LOG_LEVEL") ?? "info",
    moveStaleData: false,
    sigCheck: sigCheckConfig(env),
    relayKey: str(env, "RELAY_KEY"),
    relayQuota: int(env, "RELAY_QUOTA", DEFAULTS.RELAY_QUOTA, 0),
    relayQuotaTotal: int(env, "RELAY_QUOTA_TOTAL", DEFAULTS.RELAY_QUOTA_TOTAL, 0),
    relayQuotaWindowS: int(env, "RELAY_QUOTA_WINDOW_S", DEFAULTS.RELAY_QUOTA_WINDOW_S, 1),
    relayGasMax: int(env, "RELAY_GAS_MAX", DEFAULTS.RELAY_GAS_MAX, 21_000),
    maxFeeGwei: int(env, "MAX_FEE_GWEI", DEFAULTS.MAX_FEE_GWEI, 1),
    statsRebuild: (str(env, "STATS_REBUILD") ?? "0") === "1",
    statsIndex: (str(env, "STATS_INDEX") ?? "1") !== "0",
  };
}

function defaultWorkers(): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const n = (require("node:os") as typeof import("node:os")).availableParallelism();
  return Math.max(1, n);
}

/**
 * The repository's root: the nearest folder above this file with a package.json. The same answer from the
 * TypeScript sources (service/) and from the build (dist/service/, dist/ has no package.json).
 */
export function projectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** Defaults of the contract-wallet (ERC-1271) check settings. */
export const SIG_CHECK_DEFAULTS = {
  SIG_CHECK_GAS: 200_000,
  SIG_CHECK_TIMEOUT_MS: 3000,
  SIG_CHECK_CACHE_TTL_S: 60,
  SIG_CHECK_CACHE_MAX: 10_000,
  SIG_CHECK_CONCURRENCY: 8,
} as const;

/**
 * The SIG_CHECK_* settings: gas cap of one `isValidSignature` eth_call (at least 10,000: a wallet's check needs
 * some), timeout of one check, how long and how many answers are cached (0 = none), and how many run at once.
 */
export function sigCheckConfig(env: NodeJS.ProcessEnv): Erc1271Settings {
  const d = SIG_CHECK_DEFAULTS;
  return {
    gas: int(env, "SIG_CHECK_GAS", d.SIG_CHECK_GAS, 10_000),
    timeoutMs: int(env, "SIG_CHECK_TIMEOUT_MS", d.SIG_CHECK_TIMEOUT_MS, 1),
    cacheTtlMs: int(env, "SIG_CHECK_CACHE_TTL_S", d.SIG_CHECK_CACHE_TTL_S, 0) * 1000,
    cacheMax: int(env, "SIG_CHECK_CACHE_MAX", d.SIG_CHECK_CACHE_MAX, 0),
    concurrency: int(env, "SIG_CHECK_CONCURRENCY", d.SIG_CHECK_CONCURRENCY, 1),
  };
}
