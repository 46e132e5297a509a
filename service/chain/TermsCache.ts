import type { Logger } from "pino";
import { readAgreementVersions, type AgreementVersion } from "@repayproof/verifier";
import { ApiError } from "../errors";
import type { Store } from "../store/Store";
import { REGISTRY_ABI } from "./abi";
import type { Chain } from "./Chain";

const MAX_CACHED = 10_000;
const MAX_LOG_RANGE = 5_000;
/** Agreements the registry did not know, remembered for `negativeTtlMs` (bounded: oldest forgotten first). */
const MAX_UNKNOWN = 100_000;

/**
 * Agreement terms read from the registry, cached in memory (bounded) and on disk (so a restart during an
 * RPC outage still admits receipts of known agreements), and refreshed from AgreementAmended events.
 * Unknown agreements are cached too, for a time (`negativeTtlMs`): a body of a thousand made-up agreement
 * ids costs a thousand registry reads once, not on every repeat. A registration we relay clears its entry.
 */
export class TermsCache {
  private readonly memory = new Map<string, AgreementVersion[]>();
  /** agreementId → when (ms) the registry's "unknown" answer stops counting. */
  private readonly unknown = new Map<string, number>();
  /** How long an "unknown agreement" answer is trusted (ms). */
  negativeTtlMs = 30_000;
  /** Registry reads made so far (each one or more RPC calls): what the negative cache saves is counted here. */
  registryReads = 0;
  private readonly inflight = new Map<string, Promise<AgreementVersion[] | undefined>>();
  private lastBlock: number | undefined;

  constructor(
    private readonly chain: Chain,
    private readonly store: Store,
    private readonly log: Logger,
    private readonly onRpcError: () => void,
  ) {}

  /**
   * The versions of `agreementId` (version order), or undefined when the registry does not know it.
   * Throws CHAIN_UNAVAILABLE when the chain must be asked and cannot be reached.
   */
  async get(agreementId: string): Promise<AgreementVersion[] | undefined> {
    const id = agreementId.toLowerCase();
    const hit = this.memory.get(id);
    if (hit) return hit;
    const until = this.unknown.get(id);
    if (until !== undefined) {
      if (until > Date.now()) return undefined;
      this.unknown.delete(id);
    }
    let p = this.inflight.get(id);
    if (!p) {
      p = this.load(id).finally(() => this.inflight.delete(id));
      this.inflight.set(id, p);
    }
    return p;
  }

  private remember(id: string, versions: AgreementVersion[]): void {
    if (this.memory.size >= MAX_CACHED) {
      const oldest = this.memory.keys().next().value;
      if (oldest !== undefined) this.memory.delete(oldest);
    }
    this.memory.set(id, versions);
  }

  private async load(id: string): Promise<AgreementVersion[] | undefined> {
    const stored = await this.store.getTerms(id);
    if (stored) {
      this.remember(id, stored);
      return stored;
    }
    const versions = await this.fetch(id);
    if (versions) {
      await this.store.write([{ type: "terms", agreementId: id, versions }]);
      this.remember(id, versions);
    } else {
      if (this.unknown.size >= MAX_UNKNOWN) this.unknown.delete(this.unknown.keys().next().value as string);
      this.unknown.set(id, Date.now() + this.negativeTtlMs);
    }
    return versions;
  }

  /** Reads every version of `id` from the registry. */
  async fetch(id: string): Promise<AgreementVersion[] | undefined> {
    this.registryReads++;
    try {
      return await readAgreementVersions(this.chain.provider, this.chain.registry, id);
    } catch {
      this.onRpcError();
      throw new ApiError("CHAIN_UNAVAILABLE", "the agreement registry cannot be read now; retry later", {
        agreementId: id,
      });
    }
  }

  /** Re-reads `id` from the chain now (after we relayed a registration or amendment). */
  async refresh(id: string): Promise<void> {
    const key = id.toLowerCase();
    this.unknown.delete(key);
    const versions = await this.fetch(key);
    if (!versions) return;
    await this.store.write([{ type: "terms", agreementId: key, versions }]);
    this.remember(key, versions);
  }

  /**
   * Fixes where event polling starts, before anything is read from the registry: the block noted on disk,
   * else the current head (terms read after it are current; later amendments are in the events).
   */
  async initPoll(): Promise<void> {
    const noted = await this.store.getMeta<number>("termsBlock");
    if (noted !== undefined) {
      this.lastBlock = noted;
      return;
    }
    this.lastBlock = await this.chain.provider.getBlockNumber();
    await this.store.write([{ type: "meta", name: "termsBlock", value: this.lastBlock }]);
  }

  /** One poll of registry events: amendments of agreements we hold are re-read. */
  async poll(): Promise<void> {
    const provider = this.chain.provider;
    const head = await provider.getBlockNumber();
    if (this.lastBlock === undefined) {
      this.lastBlock = (await this.store.getMeta<number>("termsBlock")) ?? head;
    }
    while (this.lastBlock < head) {
      const from = this.lastBlock + 1;
      const to = Math.min(head, from + MAX_LOG_RANGE - 1);
      const amended = REGISTRY_ABI.getEvent("AgreementAmended");
      if (!amended) throw new Error("the registry ABI has no AgreementAmended event");
      const logs = await provider.getLogs({
        address: this.chain.registry,
        topics: [amended.topicHash],
        fromBlock: from,
        toBlock: to,
      });
      for (const l of logs) {
        const id = (l.topics[1] ?? "").toLowerCase();
        if (this.memory.has(id) || (await this.store.getTerms(id))) {
          this.log.info({ agreementId: id }, "agreement amended: refreshing its terms");
          await this.refresh(id);
        }
      }
      this.lastBlock = to;
      await this.store.write([{ type: "meta", name: "termsBlock", value: to }]);
    }
  }

  /**
   * Polls the registry's events every `everyMs` (one poll at a time; a failure is reported and retried at
   * the next tick). Returns the function that stops it.
   */
  pollEvery(everyMs: number, onError: (err: Error) => void): () => void {
    let polling = false;
    const timer = setInterval(() => {
      if (polling) return;
      polling = true;
      this.poll()
        .catch((err: unknown) => onError(err instanceof Error ? err : new Error(String(err))))
        .finally(() => (polling = false));
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
