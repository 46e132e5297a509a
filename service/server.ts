import fs from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { keccak256, toUtf8Bytes } from "ethers";
import pino, { type Logger } from "pino";
import { domainSeparator, fromHex, keccakReady, readOperatorOf, receiptDomain } from "@repayproof/verifier";
import { Admission } from "./admission";
import { createApp } from "./app";
import { Batcher } from "./batcher";
import { BreachWatcher } from "./BreachWatcher";
import { AgreementRelay } from "./chain/AgreementRelay";
import { Anchorer } from "./chain/Anchorer";
import { connectChain, fetchChainId } from "./chain/Chain";
import { TermsCache } from "./chain/TermsCache";
import { TxSender } from "./chain/TxSender";
import { HARDHAT_KEY_0, type Config } from "./config";
import type { AppDeps, Identity } from "./deps";
import { EventHub, publishAccepted } from "./EventHub";
import { WorkerPool } from "./ingest/WorkerPool";
import { createMetrics } from "./metrics";
import { GroupCommitter } from "./store/GroupCommitter";
import { Store } from "./store/Store";
import type { ChainIdentity } from "./store/records";

/** How long a stopping service lets requests in flight finish. */
const CLOSE_GRACE_MS = 5_000;

export interface RunningService {
  url: string;
  /** Where a DATA_DIR of another chain was moved (embedded node only), if it was. */
  staleMovedTo?: string;
  port: number;
  deps: AppDeps;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** How long to wait for the RPC at start before giving up (ms). */
  rpcWaitMs?: number;
}

/** A chain identity mismatch: DATA_DIR belongs to another chain or deployment. */
export class StaleDataError extends Error {
  override readonly name = "StaleDataError";
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
      if (Date.now() > deadline) {
        throw new Error(`the chain at ${rpcUrl} is unreachable: ${(e as Error).message}`, { cause: e });
      }
      if (attempt === 0) log.warn({ rpcUrl }, "waiting for the chain's JSON-RPC");
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function resolveAddresses(
  config: Config,
  chainId: number,
): { registry: string; anchor: string; block: number | undefined } {
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
  return { registry, anchor, block };
}

/**
 * Starts the service against `config.rpcUrl`: checks that DATA_DIR belongs to this chain and deployment,
 * resumes unfinished batches from disk, and listens on `config.host:config.port` (port 0 picks one).
 */
export async function startService(config: Config, opts: StartOptions = {}): Promise<RunningService> {
  const log = opts.logger ?? pino({ level: config.logLevel, base: { svc: "repayproof" } });
  await keccakReady();
  const chainId = await waitForChainId(config.rpcUrl, opts.rpcWaitMs ?? 30_000, log);
  const operatorKey = config.operatorKey ?? (chainId === 31337 ? HARDHAT_KEY_0 : undefined);
  if (!operatorKey)
    throw new Error(`OPERATOR_KEY is required on chain ${chainId} (the Hardhat default is for 31337 only)`);
  const { registry, anchor, block } = resolveAddresses(config, chainId);
  const chain = connectChain(config.rpcUrl, chainId, operatorKey, registry, anchor);
  const operator = chain.wallet.address;

  if ((await chain.provider.getCode(anchor)) === "0x")
    throw new Error(`no contract at ANCHOR_ADDRESS ${anchor} on chain ${chainId}`);
  const identityBlock = block ?? 0;
  const blk = await chain.provider.getBlock(identityBlock);
  if (!blk?.hash) throw new Error(`block ${identityBlock} not found on chain ${chainId}`);
  const identity: ChainIdentity = {
    chainId,
    anchor: anchor.toLowerCase(),
    registry: registry.toLowerCase(),
    identityBlock,
    identityHash: blk.hash,
  };

  fs.mkdirSync(config.dataDir, { recursive: true });
  let staleMovedTo: string | undefined;
  let store = new Store(config.dataDir);
  await store.open();
  const stored = await store.getIdentity();
  if (stored && JSON.stringify(stored) !== JSON.stringify(identity)) {
    await store.close();
    const what = `DATA_DIR ${config.dataDir} belongs to chain ${stored.chainId}, anchor ${stored.anchor}, block ${stored.identityBlock} ${stored.identityHash}; the chain at ${config.rpcUrl} is chain ${chainId}, anchor ${identity.anchor}, block ${identityBlock} ${identity.identityHash}`;
    if (!config.moveStaleData)
      throw new StaleDataError(`${what}. Refusing to mix them: point DATA_DIR elsewhere or at the right chain.`);
    const aside = `${config.dataDir}.stale-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    fs.renameSync(config.dataDir, aside);
    staleMovedTo = aside;
    log.warn(`${what}. The old data was moved aside to ${aside}; starting fresh.`);
    fs.mkdirSync(config.dataDir, { recursive: true });
    store = new Store(config.dataDir);
    await store.open();
  }
  if (!stored || JSON.stringify(stored) !== JSON.stringify(identity)) await store.putMeta("identity", identity);

  const stream = (config.stream ?? defaultStream(operator)).toLowerCase();
  const streamOperator = await readOperatorOf(chain.provider, anchor, stream);
  if (!/^0x0{40}$/.test(streamOperator) && streamOperator.toLowerCase() !== operator.toLowerCase()) {
    await store.close();
    throw new Error(`stream ${stream} belongs to ${streamOperator}, not to the operator ${operator}`);
  }

  const id: Identity = {
    chainId,
    registry,
    anchor,
    stream,
    operator,
    domainSeparator: domainSeparator(receiptDomain(chainId, anchor)),
  };
  const metrics = createMetrics();
  const sender = new TxSender(chain);
  const terms = new TermsCache(chain, store, log, () => metrics.rpcErrors.inc());
  const committer = new GroupCommitter(store);
  // The anchorer nudges the batcher (created next, it needs the anchorer as its sink) after progress.
  const nudge = { batcher: undefined as Batcher | undefined };
  const anchorer = new Anchorer(
    chain,
    sender,
    store,
    stream,
    config.confirmations,
    config.txStuckS * 1000,
    config.pollMs,
    metrics,
    log,
    () => {
      nudge.batcher?.triggerIfFull();
      nudge.batcher?.updateGauges();
    },
  );
  const batcher = new Batcher(store, anchorer, config.batchMax, config.batchIntervalMs, metrics, log);
  nudge.batcher = batcher;
  await anchorer.init();
  await batcher.init();
  const pool = new WorkerPool(
    { domainSeparator: id.domainSeparator, operatorKey: fromHex(operatorKey), maxAnchorDelayS: config.maxAnchorDelayS },
    config.workers,
    log,
    config.mainThreadVerifies,
  );
  const admission = new Admission(store, committer, terms, batcher, metrics, config.backlogMax, log);
  // The live event stream: admission and anchorer tell the hub; the watcher derives breaches on anchoring.
  const events = new EventHub();
  const watcher = new BreachWatcher(store, terms, events, stream, log);
  admission.onAccepted = (item) => publishAccepted(events, item);
  anchorer.onAnchored = (b) => watcher.onAnchored(b);
  const deps: AppDeps = {
    config,
    identity: id,
    store,
    admission,
    pool,
    terms,
    chain,
    sender,
    relay: new AgreementRelay({
      chain,
      sender,
      refreshTerms: (id) => terms.refresh(id),
      onRpcError: (message) => {
        metrics.rpcErrors.inc();
        log.warn({ err: message }, "agreement relay failed");
      },
    }),
    anchorer,
    batcher,
    metrics,
    events,
    log,
  };

  await terms.initPoll();
  anchorer.start();
  batcher.start();
  let polling = false;
  const termsTimer = setInterval(
    () => {
      if (polling) return;
      polling = true;
      terms
        .poll()
        .catch((err: unknown) => {
          metrics.rpcErrors.inc();
          log.debug({ err: (err as Error).message }, "registry event poll failed");
        })
        .finally(() => (polling = false));
    },
    Math.max(1000, config.pollMs * 4),
  );
  termsTimer.unref();

  const app = createApp(deps);
  const server = await new Promise<import("node:http").Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once("error", reject);
  });
  server.keepAliveTimeout = 65_000;
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  log.info({ url, chainId, anchor, registry, stream, operator }, "RepayProof service listening");

  let closing: Promise<void> | undefined;
  return {
    url,
    ...(staleMovedTo ? { staleMovedTo } : {}),
    port,
    deps,
    close() {
      closing ??= (async () => {
        clearInterval(termsTimer);
        events.close(); // SSE streams are never idle: end them, or closing would wait for the grace period
        // Stop accepting; let requests in flight get their answers (bounded), then cut what is left.
        await new Promise<void>((resolve) => {
          const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
          server.close(() => {
            clearTimeout(cut);
            resolve();
          });
          server.closeIdleConnections();
        });
        await batcher.close();
        await anchorer.close();
        await watcher.idle();
        await committer.drain();
        await pool.close();
        chain.provider.destroy();
        await store.close();
        log.info("RepayProof service stopped");
      })();
      return closing;
    },
  };
}
