import type { Logger } from "pino";
import { invariant } from "@repayproof/verifier/core";
import { ANCHOR_ABI } from "./abi";
import type { Chain } from "./Chain";
import { isRefusal } from "./fees";
import type { TxSender } from "./TxSender";
import type { BatchRecord, SentTx } from "../store/records";

/** What a follow-up of a submitted batch found. */
export type FollowUp =
  | { kind: "waiting" }
  /**
   * Its transaction reverted or was dropped (its nonce used by another), or the node refuses it (`forget`: the
   * hash of a transaction the node never accepted, left out of the record): submit it again.
   */
  | { kind: "resubmit"; why: "reverted" | "dropped" | "refused" | "no transaction"; forget?: string }
  /** Stuck past the limit: replace it (same nonce, higher fees). */
  | { kind: "replace"; tx: SentTx };

/**
 * The anchoring transaction of a batch: signed with a nonce and persisted before it is broadcast (so a crash
 * can rebroadcast it), followed up until the chain shows the root anchored. It changes no batch state itself:
 * it tells the anchorer what it found.
 */
export class AnchorTx {
  constructor(
    private readonly chain: Chain,
    private readonly sender: TxSender,
    private readonly stream: string,
    private readonly txStuckMs: number,
    private readonly log: Logger,
  ) {}

  /**
   * Signs `anchorBatch(stream, seq, root, count, stateRoot)` (replacing `replaces` when given), hands the
   * signed transaction to `persist` — which must make it durable — then broadcasts it.
   */
  async submit(b: BatchRecord, persist: (tx: SentTx) => Promise<void>, replaces?: SentTx): Promise<void> {
    // Sealed with the batch (batches/Batcher.ts): a record without one predates v0.2 and cannot be anchored here.
    invariant(b.stateRoot !== undefined, `batch ${b.seq} was sealed without a loan state root`);
    const data = ANCHOR_ABI.encodeFunctionData("anchorBatch", [this.stream, b.seq, b.root, b.count, b.stateRoot]);
    const to = this.chain.anchor;
    // Static call first: a revert here is decoded and logged instead of costing gas.
    // Against the latest block: a replacement's predecessor may already be applied in the pending state.
    await this.chain.provider.call({ to, data, from: this.chain.wallet.address, blockTag: "latest" });
    const sent = await this.sender.send({ to, data }, persist, replaces);
    this.log.info(
      { seq: b.seq, tx: sent.hash, nonce: sent.nonce, replacement: Boolean(replaces) },
      "anchor transaction sent",
    );
  }

  /** A SUBMITTED batch whose root is not anchored yet: mined and reverted, lost, dropped, stuck or waiting. */
  async followUp(b: BatchRecord): Promise<FollowUp> {
    const { provider, wallet } = this.chain;
    const latest = b.txs[b.txs.length - 1];
    if (!latest) return { kind: "resubmit", why: "no transaction" };
    for (const tx of b.txs) {
      const r = await provider.getTransactionReceipt(tx.hash);
      if (r && r.status === 0) {
        this.log.warn({ seq: b.seq, tx: tx.hash }, "anchor transaction reverted; resubmitting");
        this.sender.resetNonce();
        return { kind: "resubmit", why: "reverted" };
      }
    }
    const known = await provider.getTransaction(latest.hash);
    if (!known) {
      const mined = await provider.getTransactionCount(wallet.address, "latest");
      if (mined > latest.nonce) {
        // Our nonce was used by another transaction and our root is still not anchored: dropped.
        this.log.warn({ seq: b.seq, tx: latest.hash }, "anchor transaction dropped; resubmitting with a new nonce");
        this.sender.resetNonce();
        return { kind: "resubmit", why: "dropped" };
      }
      this.log.info({ seq: b.seq, tx: latest.hash }, "node does not know our anchor transaction; rebroadcasting");
      try {
        await this.sender.broadcast(latest.raw);
      } catch (e) {
        if (!isRefusal(e)) throw e;
        // The node refuses it (fees below its floor, funds short…): sign it again with its nonce and today's fees.
        this.log.warn(
          { seq: b.seq, tx: latest.hash, err: (e as Error).message },
          "node refuses our anchor transaction",
        );
        return { kind: "resubmit", why: "refused", forget: latest.hash };
      }
      return { kind: "waiting" };
    }
    if (known.blockNumber === null && Date.now() - latest.sentAt > this.txStuckMs) {
      this.log.warn({ seq: b.seq, tx: latest.hash }, "anchor transaction stuck; replacing it with higher fees");
      return { kind: "replace", tx: latest };
    }
    return { kind: "waiting" };
  }

  /** The hash of the transaction that anchored `b` at `blockNumber`: one of ours, else from the event log. */
  async findTx(b: BatchRecord, blockNumber: number): Promise<string | undefined> {
    for (const tx of b.txs) {
      const r = await this.chain.provider.getTransactionReceipt(tx.hash);
      if (r && r.status === 1 && r.blockNumber === blockNumber) return tx.hash;
    }
    const ev = ANCHOR_ABI.getEvent("BatchAnchored");
    if (!ev) return undefined;
    const logs = await this.chain.provider.getLogs({
      address: this.chain.anchor,
      topics: [ev.topicHash, this.stream],
      fromBlock: blockNumber,
      toBlock: blockNumber,
    });
    return logs.find((l) => (l.topics[3] ?? "").toLowerCase() === b.root.toLowerCase())?.transactionHash;
  }
}
