import type { Logger } from "pino";
import { readAnchorOf, readNextSeq } from "@repayproof/verifier";
import type { Metrics } from "../metrics";
import type { Store } from "../store/Store";
import type { BatchRecord, SentTx } from "../store/records";
import { ANCHOR_ABI } from "./abi";
import type { Chain } from "./Chain";
import type { TxSender } from "./TxSender";

interface AnchorInfo {
  stream: string;
  seq: number;
  count: number;
  timestamp: number;
  blockNumber: number;
}

const MAX_BACKOFF_MS = 10_000;

/**
 * Moves sealed batches SEALED → SUBMITTED → ANCHORED → FINAL, one transaction in flight, every state on
 * disk before it is acted on. It trusts the chain over its own notes: a SEALED or SUBMITTED batch whose
 * root `anchorOf` already knows is marked ANCHORED (nothing is anchored twice); one the chain does not know
 * is (re)submitted, its lost transaction rebroadcast, its stuck transaction replaced with the same nonce and
 * higher fees, its dropped transaction resubmitted. If the stream's next sequence number shows our `seq`
 * taken by another root, anchoring halts loudly: that is a broken invariant, not something to paper over.
 */
export class Anchorer {
  /** Batches not yet FINAL, in seq order. */
  private batches: BatchRecord[] = [];
  private wake: (() => void) | undefined;
  private closed = false;
  private running: Promise<void> | undefined;
  private backoffMs = 0;
  /** Why anchoring stopped, when an invariant broke. */
  halted: string | undefined;
  /** Last chain error, cleared on success (for /healthz). */
  lastError: string | undefined;
  /** Told of each batch once it is recorded ANCHORED (the live event stream). */
  onAnchored: ((b: BatchRecord) => void) | undefined;

  constructor(
    private readonly chain: Chain,
    private readonly sender: TxSender,
    private readonly store: Store,
    private readonly stream: string,
    private readonly confirmations: number,
    private readonly txStuckMs: number,
    private readonly pollMs: number,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly onProgress: () => void,
  ) {}

  async init(): Promise<void> {
    this.batches = await this.store.unfinishedBatches();
    if (this.batches.length > 0) {
      this.log.info({ batches: this.batches.map((b) => `${b.seq}:${b.state}`) }, "resuming unfinished batches");
    }
  }

  start(): void {
    this.running = this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.kick();
    await this.running;
  }

  kick(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Sealed batches not yet mined. */
  waiting(): number {
    return this.batches.filter((b) => b.state === "SEALED" || b.state === "SUBMITTED").length;
  }

  unanchoredReceipts(): number {
    let n = 0;
    for (const b of this.batches) if (b.state === "SEALED" || b.state === "SUBMITTED") n += b.count;
    return n;
  }

  enqueue(batch: BatchRecord): void {
    this.batches.push(batch);
    this.kick();
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      let progressed = false;
      try {
        if (!this.halted) progressed = await this.step();
        this.backoffMs = 0;
        this.lastError = undefined;
      } catch (err) {
        this.metrics.rpcErrors.inc();
        this.lastError = (err as Error)?.message ?? String(err);
        this.backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(this.pollMs, this.backoffMs * 2));
        this.log.warn({ err: this.lastError, retryInMs: this.backoffMs }, "anchoring step failed; retrying");
      }
      if (progressed) this.onProgress();
      if (!progressed || this.backoffMs > 0) await this.sleep(this.backoffMs || this.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** One move of the state machine; true when something changed. */
  async step(): Promise<boolean> {
    let progressed = await this.finalize();
    const current = this.batches.find((b) => b.state === "SEALED" || b.state === "SUBMITTED");
    if (current) progressed = (await this.advance(current)) || progressed;
    return progressed;
  }

  private async anchorOf(root: string): Promise<AnchorInfo | undefined> {
    const a = await readAnchorOf(this.chain.provider, this.chain.anchor, root);
    return a.timestamp === 0 ? undefined : a;
  }

  private async save(b: BatchRecord): Promise<void> {
    await this.store.putBatch(b);
  }

  private async advance(b: BatchRecord): Promise<boolean> {
    const anchored = await this.anchorOf(b.root);
    if (anchored) return this.markAnchored(b, anchored);
    if (b.state === "SUBMITTED") return this.followUp(b);
    const next = await readNextSeq(this.chain.provider, this.chain.anchor, this.stream);
    if (next !== b.seq) {
      this.halted = `stream ${this.stream}: batch ${b.seq} (root ${b.root}) is not anchored but the stream's next sequence number is ${next}`;
      this.log.fatal({ seq: b.seq, root: b.root, nextSeq: next }, "INVARIANT VIOLATION: " + this.halted);
      return false;
    }
    await this.submit(b);
    return true;
  }

  private async submit(b: BatchRecord, replaces?: SentTx): Promise<void> {
    const data = ANCHOR_ABI.encodeFunctionData("anchorBatch", [this.stream, b.seq, b.root, b.count]);
    const to = this.chain.anchor;
    // Static call first: a revert here is decoded and logged instead of costing gas.
    // Against the latest block: a replacement's predecessor may already be applied in the pending state.
    await this.chain.provider.call({ to, data, from: this.chain.wallet.address, blockTag: "latest" });
    const sent = await this.sender.send(
      { to, data },
      async (tx) => {
        b.txs.push(tx);
        b.state = "SUBMITTED";
        await this.save(b);
      },
      replaces,
    );
    this.log.info(
      { seq: b.seq, tx: sent.hash, nonce: sent.nonce, replacement: Boolean(replaces) },
      "anchor transaction sent",
    );
  }

  /** A SUBMITTED batch whose root is not anchored yet: mined and reverted, lost, dropped, stuck or waiting. */
  private async followUp(b: BatchRecord): Promise<boolean> {
    const { provider, wallet } = this.chain;
    const latest = b.txs[b.txs.length - 1];
    if (!latest) {
      b.state = "SEALED";
      await this.save(b);
      return true;
    }
    for (const tx of b.txs) {
      const r = await provider.getTransactionReceipt(tx.hash);
      if (r && r.status === 0) {
        this.log.warn({ seq: b.seq, tx: tx.hash }, "anchor transaction reverted; resubmitting");
        b.state = "SEALED";
        this.sender.resetNonce();
        await this.save(b);
        return true;
      }
    }
    const known = await provider.getTransaction(latest.hash);
    const mined = await provider.getTransactionCount(wallet.address, "latest");
    if (!known) {
      if (mined > latest.nonce) {
        // Our nonce was used by another transaction and our root is still not anchored: dropped.
        this.log.warn({ seq: b.seq, tx: latest.hash }, "anchor transaction dropped; resubmitting with a new nonce");
        b.state = "SEALED";
        this.sender.resetNonce();
        await this.save(b);
        return true;
      }
      this.log.info({ seq: b.seq, tx: latest.hash }, "node does not know our anchor transaction; rebroadcasting");
      await this.sender.broadcast(latest.raw);
      return false;
    }
    if (known.blockNumber === null && Date.now() - latest.sentAt > this.txStuckMs) {
      this.log.warn({ seq: b.seq, tx: latest.hash }, "anchor transaction stuck; replacing it with higher fees");
      await this.submit(b, latest);
      return true;
    }
    return false;
  }

  private async markAnchored(b: BatchRecord, a: AnchorInfo): Promise<boolean> {
    if (a.stream.toLowerCase() !== this.stream.toLowerCase() || a.seq !== b.seq || a.count !== b.count) {
      this.halted = `root ${b.root} of our batch ${b.seq} is anchored as ${a.stream}#${a.seq} (${a.count})`;
      this.log.fatal({ batch: b, anchor: a }, "INVARIANT VIOLATION: " + this.halted);
      return false;
    }
    b.txHash = (await this.findTx(b, a)) ?? b.txHash;
    b.state = "ANCHORED";
    b.blockNumber = a.blockNumber;
    b.anchoredAt = a.timestamp;
    await this.save(b);
    this.onAnchored?.(b);
    const leaves = await this.store.getLeaves(b.seq);
    const now = Date.now();
    for (const t of leaves?.acceptedAtMs ?? []) this.metrics.anchorLatency.observe(Math.max(0, now - t) / 1000);
    this.log.info({ seq: b.seq, tx: b.txHash, block: a.blockNumber }, "batch anchored");
    await this.finalize();
    return true;
  }

  private async findTx(b: BatchRecord, a: AnchorInfo): Promise<string | undefined> {
    for (const tx of b.txs) {
      const r = await this.chain.provider.getTransactionReceipt(tx.hash);
      if (r && r.status === 1 && r.blockNumber === a.blockNumber) return tx.hash;
    }
    const ev = ANCHOR_ABI.getEvent("BatchAnchored");
    if (!ev) return undefined;
    const logs = await this.chain.provider.getLogs({
      address: this.chain.anchor,
      topics: [ev.topicHash, this.stream],
      fromBlock: a.blockNumber,
      toBlock: a.blockNumber,
    });
    return logs.find((l) => (l.topics[3] ?? "").toLowerCase() === b.root.toLowerCase())?.transactionHash;
  }

  /** ANCHORED batches with enough confirmations become FINAL (re-checked: a reorg sends them back). */
  private async finalize(): Promise<boolean> {
    const anchored = this.batches.filter((b) => b.state === "ANCHORED");
    if (anchored.length === 0) return false;
    const head = await this.chain.provider.getBlockNumber();
    let progressed = false;
    for (const b of anchored) {
      if (head - (b.blockNumber ?? head) + 1 < this.confirmations) break;
      const a = await this.anchorOf(b.root);
      if (!a || a.blockNumber !== b.blockNumber) {
        this.log.warn({ seq: b.seq }, "anchor vanished or moved (reorg); re-checking the batch");
        b.state = a ? "ANCHORED" : "SEALED";
        if (a) b.blockNumber = a.blockNumber;
        await this.save(b);
        progressed = true;
        continue;
      }
      b.state = "FINAL";
      await this.save(b);
      progressed = true;
    }
    this.batches = this.batches.filter((b) => b.state !== "FINAL");
    return progressed;
  }
}
