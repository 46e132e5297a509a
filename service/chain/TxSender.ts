import { Transaction, type TransactionRequest } from "ethers";
import type { SentTx } from "../store/records";
import type { Chain } from "./Chain";
import { isAlreadyKnown, isNonceTaken, pickFees } from "./fees";

/** What a sender is told besides the chain: its fee cap and whom to tell about gaps and refusals. */
export interface TxSenderOptions {
  /** Highest fee per gas ever bid, in wei (MAX_FEE_GWEI); pickFees throws FeeCapError above it. */
  maxFeeWei: bigint;
  /** A gap: nonces from `from` (up to `to`, exclusive) that we used and the node no longer knows. */
  onGap?: (from: number, to: number) => void;
  /** The node refused a freshly signed transaction; its nonce will be used again. */
  onRefused?: (nonce: number, err: unknown) => void;
}

/**
 * Signs and broadcasts one key's transactions one at a time, managing the nonce itself so a signed
 * transaction can be persisted (hash, nonce, raw bytes) *before* it is broadcast, rebroadcast after a
 * crash, and replaced with the same nonce and higher fees (never above the cap) when stuck. The next nonce
 * advances only once the node accepted a broadcast: a refused transaction leaves no gap. Nonces we used that
 * the node no longer knows (a reorg, a restarted node, a mempool eviction) are a gap: the next transaction
 * fills it. One key, one sender: the anchorer's key is used by nothing else (the relay has its own).
 */
export class TxSender {
  private lock: Promise<unknown> = Promise.resolve();
  private nextNonce: number | undefined;
  /** Hashes of the transactions the node accepted, by nonce, until mined (to tell a gap from a lagging count). */
  private readonly accepted = new Map<number, string>();

  constructor(
    private readonly chain: Chain,
    private readonly opts: TxSenderOptions,
  ) {}

  /** The address that signs. */
  get address(): string {
    return this.chain.wallet.address;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /**
   * Signs `tx` with a fresh nonce (or `replaces`'s nonce with bumped fees), hands it to `persist` (which
   * must make it durable), then broadcasts it. Returns the signed transaction. Throws FeeCapError (nothing
   * signed) when the fee it needs is above the cap, and the node's refusal when it refuses the broadcast.
   */
  send(tx: TransactionRequest, persist: (sent: SentTx) => Promise<void>, replaces?: SentTx): Promise<SentTx> {
    return this.exclusive(async () => {
      const { provider, wallet } = this.chain;
      const nonce = replaces ? replaces.nonce : await this.freshNonce();
      const [feeData, baseFee] = await Promise.all([provider.getFeeData(), this.baseFee()]);
      const fees = pickFees(feeData, baseFee, this.opts.maxFeeWei, replaces);
      const req: TransactionRequest = { ...tx, from: wallet.address, nonce, chainId: this.chain.chainId, ...fees };
      // A replacement keeps its predecessor's gas limit: estimating against the pending state would see
      // the predecessor applied and revert.
      if (req.gasLimit === undefined && replaces) req.gasLimit = Transaction.from(replaces.raw).gasLimit;
      if (req.gasLimit === undefined) req.gasLimit = ((await provider.estimateGas(req)) * 12n) / 10n + 10_000n;
      const raw = await wallet.signTransaction(req);
      const sent: SentTx = {
        hash: Transaction.from(raw).hash as string,
        nonce,
        raw,
        sentAt: Date.now(),
        ...(fees.type === 2
          ? { maxFeePerGas: String(fees.maxFeePerGas), maxPriorityFeePerGas: String(fees.maxPriorityFeePerGas) }
          : { gasPrice: String(fees.gasPrice) }),
      };
      await persist(sent);
      try {
        await provider.broadcastTransaction(raw);
      } catch (e) {
        if (!isAlreadyKnown(e)) {
          // Not accepted: the nonce stays free for the next transaction (a taken one is re-read from the chain).
          if (isNonceTaken(e)) this.nextNonce = undefined;
          this.opts.onRefused?.(nonce, e);
          throw e;
        }
      }
      this.accepted.set(nonce, sent.hash);
      if (!replaces) this.nextNonce = nonce + 1;
      return sent;
    });
  }

  /** The base fee a transaction meets now: the higher of the latest block's and the pending block's (EIP-1559). */
  private async baseFee(): Promise<bigint | undefined> {
    const { provider } = this.chain;
    const blocks = await Promise.all(["latest", "pending"].map((t) => provider.getBlock(t).catch(() => null)));
    const fees = blocks.map((b) => b?.baseFeePerGas).filter((x): x is bigint => typeof x === "bigint");
    return fees.length === 0 ? undefined : fees.reduce((a, b) => (a > b ? a : b));
  }

  /**
   * The nonce of a new transaction: the node's pending count, unless transactions we sent are ahead of it
   * and the node still knows them (a count that lags). The first nonce of ours it does not know is a gap:
   * the new transaction takes it, which also unblocks any later one the node holds queued.
   */
  private async freshNonce(): Promise<number> {
    const { provider, wallet } = this.chain;
    const pending = await provider.getTransactionCount(wallet.address, "pending");
    for (const n of [...this.accepted.keys()]) if (n < pending) this.accepted.delete(n);
    const local = this.nextNonce;
    if (local === undefined || local <= pending) return pending;
    for (let n = pending; n < local; n++) {
      const hash = this.accepted.get(n);
      if (hash === undefined || (await provider.getTransaction(hash)) === null) {
        this.opts.onGap?.(n, local);
        this.nextNonce = n;
        return n;
      }
    }
    return local;
  }

  /** Broadcasts a signed transaction again; "already known" and "nonce too low" (mined) are not failures here. */
  async broadcast(raw: string): Promise<void> {
    try {
      await this.chain.provider.broadcastTransaction(raw);
    } catch (e) {
      if (isAlreadyKnown(e) || isNonceTaken(e)) return;
      throw e;
    }
  }

  /** Forgets the locally tracked nonce (after a dropped transaction the chain's count is the truth). */
  resetNonce(): void {
    this.nextNonce = undefined;
  }
}
