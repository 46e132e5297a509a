import { Transaction, type TransactionRequest } from "ethers";
import type { SentTx } from "../store/records";
import type { Chain } from "./Chain";

/** Fee bump for a replacement: nodes require at least +10%; take +25%. */
const BUMP_NUM = 125n;
const BUMP_DEN = 100n;

/**
 * Signs and broadcasts the operator's transactions one at a time, managing the nonce itself so a signed
 * transaction can be persisted (hash, nonce, raw bytes) *before* it is broadcast, rebroadcast after a
 * crash, and replaced with the same nonce and higher fees when stuck.
 */
export class TxSender {
  private lock: Promise<unknown> = Promise.resolve();
  private nextNonce: number | undefined;

  constructor(private readonly chain: Chain) {}

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /**
   * Signs `tx` with a fresh nonce (or `replaces`'s nonce with bumped fees), hands it to `persist` (which
   * must make it durable), then broadcasts it. Returns the signed transaction.
   */
  send(tx: TransactionRequest, persist: (sent: SentTx) => Promise<void>, replaces?: SentTx): Promise<SentTx> {
    return this.exclusive(async () => {
      const { provider, wallet } = this.chain;
      let nonce: number;
      if (replaces) nonce = replaces.nonce;
      else {
        const chainNonce = await provider.getTransactionCount(wallet.address, "pending");
        nonce = Math.max(chainNonce, this.nextNonce ?? 0);
      }
      const fees = await provider.getFeeData();
      const req: TransactionRequest = {
        ...tx,
        from: wallet.address,
        nonce,
        chainId: this.chain.chainId,
        type: undefined,
      };
      // A replacement keeps its predecessor's gas limit: estimating against the pending state would see
      // the predecessor applied and revert.
      if (req.gasLimit === undefined && replaces) req.gasLimit = Transaction.from(replaces.raw).gasLimit;
      if (req.gasLimit === undefined) req.gasLimit = ((await provider.estimateGas(req)) * 12n) / 10n + 10_000n;
      if (fees.maxFeePerGas !== null && fees.maxPriorityFeePerGas !== null) {
        let maxFee = fees.maxFeePerGas;
        let tip = fees.maxPriorityFeePerGas;
        if (replaces?.maxFeePerGas && replaces.maxPriorityFeePerGas) {
          maxFee = max(maxFee, (BigInt(replaces.maxFeePerGas) * BUMP_NUM) / BUMP_DEN + 1n);
          tip = max(tip, (BigInt(replaces.maxPriorityFeePerGas) * BUMP_NUM) / BUMP_DEN + 1n);
        }
        req.type = 2;
        req.maxFeePerGas = maxFee;
        req.maxPriorityFeePerGas = tip;
      } else {
        let gasPrice = fees.gasPrice ?? 0n;
        if (replaces?.gasPrice) gasPrice = max(gasPrice, (BigInt(replaces.gasPrice) * BUMP_NUM) / BUMP_DEN + 1n);
        req.type = 0;
        req.gasPrice = gasPrice;
      }
      const raw = await wallet.signTransaction(req);
      const sent: SentTx = {
        hash: Transaction.from(raw).hash as string,
        nonce,
        raw,
        sentAt: Date.now(),
        ...(req.maxFeePerGas !== undefined ? { maxFeePerGas: String(req.maxFeePerGas) } : {}),
        ...(req.maxPriorityFeePerGas !== undefined ? { maxPriorityFeePerGas: String(req.maxPriorityFeePerGas) } : {}),
        ...(req.gasPrice !== undefined ? { gasPrice: String(req.gasPrice) } : {}),
      };
      await persist(sent);
      if (!replaces) this.nextNonce = nonce + 1;
      await this.broadcast(sent.raw);
      return sent;
    });
  }

  /** Broadcasts a signed transaction; "already known" and "nonce too low" are not failures here. */
  async broadcast(raw: string): Promise<void> {
    try {
      await this.chain.provider.broadcastTransaction(raw);
    } catch (e) {
      const msg = String((e as Error).message ?? e).toLowerCase();
      if (msg.includes("already known") || msg.includes("known transaction") || msg.includes("nonce too low")) return;
      if (msg.includes("nonce") && msg.includes("low")) return;
      throw e;
    }
  }

  /** Forgets the locally tracked nonce (after a dropped transaction the chain's count is the truth). */
  resetNonce(): void {
    this.nextNonce = undefined;
  }
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
