import fs from "node:fs";
import path from "node:path";
import { keccak256, toUtf8Bytes } from "ethers";
import pino, { type DestinationStream, type Logger } from "pino";
import { domainSeparator, keccakReady, readOperatorOf, receiptDomain } from "@repayproof/verifier";
import { TokenCache, type AccessContext } from "./access/auth";
import { SignatureChecker } from "./access/SignatureChecker";
import { createApp } from "./app";
import { Erc1271Checker } from "./chain/Erc1271Checker";
import { connectChain, fetchChainId } from "./chain/Chain";
import { assertRelayKeyApart, createRelay, relayKeyFor, createSender, defaultConfirmations } from "./chain/relaySetup";
import { TermsCache } from "./chain/TermsCache";
import type { Config } from "./config";
import { operatorKeyOf } from "./operatorKey";
import type { AppDeps } from "./deps";
import { BreachWatcher } from "./events/BreachWatcher";
import { EventHub } from "./events/EventHub";
import { startSharing } from "./events/PgFanout";
import { createMetrics } from "./metrics";
import { listen } from "./listen";
import { createPipeline, type Pipeline } from "./pipeline";
import { BatchTrees } from "./read/proofBundle";
import type { Identity, Reader } from "./read/Reader";
import { StoredAcks } from "./read/storedAcks";
import { StatsIndexer } from "./stats/StatsIndexer";
import { redactor, secretsOf } from "./secrets";
import { openStore } from "./store/openStore";

export { StaleDataError } from "./store/openDataDir";

export interface RunningService {
  url: string;
  /** Where a DATA_DIR of another chain was moved (embedded node only), if it was. */
  staleMovedTo?: string;
  port: number;
  deps: AppDeps;
  /** The ingest pipeline's stages (tests seal a batch now with `pipeline.batcher.seal()`). */
  pipeline: Pipeline;
  /** The stats index's updater (tests await `stats.idle()`). */
  stats: StatsIndexer;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Where the service's own logger writes (default stdout); ignored when `logger` is given. */
  logStream?: DestinationStream;
  /** How long to wait for the RPC at start before giving up (ms). */
  rpcWaitMs?: number;
}

/** The default stream of an operator: stable across restarts, distinct per operator. */
export function defaultStream(operator: string): string {
  return keccak256(toUtf8Bytes("repayproof/stream:" + operator.toLowerCase()));
}

async function waitForChainId(rpcUrl: string, waitMs: number, log: Logger): Promise<number> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetchChainId(rpcUrl);
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`the chain is unreachable: ${(e as Error).message}`, { cause: e });
      if (attempt === 0) log.warn("waiting for the chain's JSON-RPC");
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function resolveAddresses(config: Config, chainId: number): { registry: string; anchor: string; block?: number } {
  let registry = config.registryAddress;
  let anchor = config.anchorAddress;
  let block = config.deploymentBlock;
  const file = path.join(config.deploymentsDir, `${chainId}.json`);
  if ((!registry || !anchor) && fs.existsSync(file)) {
    const d = JSON.parse(fs.readFileSync(file, "utf8")) as { registry: string; anchor: string; blockNumber?: number };
    registry ??= d.registry;
    anchor ??= d.anchor;
    block ??= d.blockNumber;
  }
  if (!registry || !anchor) {
    throw new Error(`no contract addresses: set REGISTRY_ADDRESS and ANCHOR_ADDRESS, or deploy (writes ${file})`);
  }
  return block === undefined ? { registry, anchor } : { registry, anchor, block };
}

/**
 * Starts the service against `config.rpcUrl`: checks that DATA_DIR belongs to this chain and deployment,
 * resumes unfinished batches from disk, and listens on `config.host:config.port` (port 0 picks one).
 */
export async function startService(configured: Config, opts: StartOptions = {}): Promise<RunningService> {
  // Every line is scrubbed of RPC_URL's secrets and the operator's and relay's keys (ethers quotes the request URL).
  let scrubber = redactor(secretsOf(configured));
  const scrub = (text: string): string => scrubber(text);
  const log =
    opts.logger ??
    pino({ level: configured.logLevel, base: { svc: "repayproof" }, hooks: { streamWrite: scrub } }, opts.logStream);
  await keccakReady();
  const chainId = await waitForChainId(configured.rpcUrl, opts.rpcWaitMs ?? 30_000, log).catch((e: Error) => {
    throw new Error(scrub(e.message));
  });
  const config = { ...configured, confirmations: configured.confirmations || defaultConfirmations(chainId) };
  const operatorKey = await operatorKeyOf(config, chainId);
  const relayKey = relayKeyFor(config, chainId);
  assertRelayKeyApart(relayKey, operatorKey);
  scrubber = redactor([
    ...secretsOf(config),
    ...secretsOf({ operatorKey }), // a keystore's key too
    ...(relayKey === undefined ? [] : secretsOf({ operatorKey: relayKey })),
  ]);
  const { registry, anchor, block } = resolveAddresses(config, chainId);
  const chain = connectChain(config.rpcUrl, chainId, operatorKey, registry, anchor);
  const operator = chain.wallet.address;

  if ((await chain.provider.getCode(anchor)) === "0x")
    throw new Error(`no contract at ANCHOR_ADDRESS ${anchor} on chain ${chainId}`);
  const identityBlock = block ?? 0;
  const blk = await chain.provider.getBlock(identityBlock);
  if (!blk?.hash) throw new Error(`block ${identityBlock} not found on chain ${chainId}`);
  const stream = (config.stream ?? defaultStream(operator)).toLowerCase();
  const { store, staleMovedTo } = await openStore(
    config,
    { chainId, anchor: anchor.toLowerCase(), registry: registry.toLowerCase(), identityBlock, identityHash: blk.hash },
    stream,
    log,
  ); // its errors never hold DATABASE_URL, and scripts/service.ts scrubs what it prints anyway

  const streamOperator = await readOperatorOf(chain.provider, anchor, stream);
  if (!/^0x0{40}$/.test(streamOperator) && streamOperator.toLowerCase() !== operator.toLowerCase()) {
    await store.close();
    throw new Error(`stream ${stream} belongs to ${streamOperator}, not to the operator ${operator}`);
  }

  const identity: Identity = {
    chainId,
    registry,
    anchor,
    stream,
    operator,
    domainSeparator: domainSeparator(receiptDomain(chainId, anchor)),
  };
  const metrics = createMetrics();
  const sender = createSender(chain, config, metrics, log);
  const terms = new TermsCache(chain, store, log, () => metrics.rpcErrors.inc());
  // Contract-wallet signatures (receipts, tokens, shares): one bounded, cached checker for all of them.
  const wallets = new Erc1271Checker(chain.provider, config.sigCheck, (outcome) => {
    metrics.erc1271Checks.inc({ outcome });
    if (outcome === "unavailable") metrics.rpcErrors.inc();
  });
  const reader: Reader = {
    store,
    terms,
    identity,
    regulators: config.regulators,
    trees: new BatchTrees(store),
    acks: new StoredAcks(store),
  };
  // The live event stream: admission and anchorer tell the hub; the watcher derives breaches on anchoring.
  const events = new EventHub();
  const shared = await startSharing(store, config.databaseUrl, events, log); // several instances on one database
  const watcher = new BreachWatcher(reader, events, stream, log);
  // The index gives way while ingest has requests in hand (the pool is made with the pipeline, below).
  let ingestBusy = (): boolean => false;
  const stats = new StatsIndexer(store, terms, log, () => ingestBusy());
  const pipeline = await createPipeline({
    config,
    identity,
    operatorKey,
    store,
    chain,
    sender,
    terms,
    wallets,
    reader,
    events,
    metrics,
    log,
    onAnchored: (b) => {
      watcher.onAnchored(b);
      if (config.statsIndex) stats.kick();
    },
    ...(shared && { instances: shared.instances }),
  });
  ingestBusy = () => pipeline.pool.inFlight > 0;
  const access: AccessContext = {
    domainSeparator: identity.domainSeparator,
    regulators: config.regulators,
    terms,
    signatures: new SignatureChecker(wallets),
    isRevoked: async (digest) => (await store.shareRevokedAt(digest)) !== undefined,
    tokens: new TokenCache(),
  };
  const deps: AppDeps = {
    config,
    identity,
    store,
    terms,
    reader,
    access,
    pool: pipeline.pool,
    admission: pipeline.admission,
    queue: pipeline.queue,
    backlog: pipeline.backlog,
    anchorer: pipeline.anchorer,
    relay: createRelay(config, chain, (id) => terms.refresh(id), metrics, log),
    metrics,
    events,
    log,
    ...(shared && { instances: shared.instances }),
  };
  await terms.initPoll();
  pipeline.start();
  // Batches anchored before a restart and not yet taken in; or, when asked, the whole index again.
  if (!config.statsIndex) log.info("STATS_INDEX=0: no stats index kept; /v1/stats answers 501 STATS_DISABLED");
  else await stats.start(config.statsRebuild);
  const stopPolling = terms.pollEvery(Math.max(1000, config.pollMs * 4), (err) => {
    metrics.rpcErrors.inc();
    log.debug({ err: err.message }, "registry event poll failed");
  });

  const app = createApp(deps);
  const http = await listen(app, config.host, config.port);
  const { url, port } = http;
  log.info({ url, chainId, anchor, registry, stream, operator }, "RepayProof service listening");

  let closing: Promise<void> | undefined;
  return {
    url,
    ...(staleMovedTo ? { staleMovedTo } : {}),
    port,
    deps,
    pipeline,
    stats,
    close() {
      closing ??= (async () => {
        stopPolling();
        events.close(); // SSE streams are never idle: end them, or closing would wait for the grace period
        await http.close();
        await pipeline.close();
        await watcher.idle();
        await stats.idle();
        await shared?.close();
        chain.provider.destroy();
        await store.close();
        log.info("RepayProof service stopped");
      })();
      return closing;
    },
  };
}
