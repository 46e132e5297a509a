import { createHash } from "node:crypto";
import { Interface, isError, type Provider } from "ethers";
import { ApiError } from "../errors";
import { TtlCache } from "./TtlCache";

const ERC1271 = new Interface(["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"]);
/** The magic value as OpenZeppelin `SignatureChecker` compares it: the first 32-byte word of the answer. */
const MAGIC_WORD = "0x1626ba7e" + "00".repeat(28);
/** How many checks may wait for a free slot, per slot, before new ones are refused (CHAIN_UNAVAILABLE). */
const WAITING_PER_SLOT = 256;

/** Bounds of the ERC-1271 checks (docs/api.md, Configuration: the SIG_CHECK_* settings). */
export interface Erc1271Settings {
  /** Gas one `isValidSignature` eth_call may burn: a wallet's code is someone else's. */
  gas: number;
  /** How long one JSON-RPC call of a check may take before the chain counts as unavailable. */
  timeoutMs: number;
  /** How long an answer (a wallet's yes or no, an address's code) is remembered. */
  cacheTtlMs: number;
  /** Most answers remembered (each of the two caches). */
  cacheMax: number;
  /** Most JSON-RPC calls of these checks in flight at once. */
  concurrency: number;
}

/** What one check came to: the wallet's answer (valid, invalid), a remembered answer, or none (unavailable). */
export type Erc1271Outcome = "valid" | "invalid" | "cached" | "unavailable";

/**
 * ERC-1271 `isValidSignature(digest, signature)` on a contract wallet, by OpenZeppelin `SignatureChecker`'s
 * rule (what the contracts and the verifier accept): only the magic value is a yes; a revert, running out of
 * gas or a malformed answer is a no; an address without code says no. Bounded, since the wallet is someone
 * else's code: each eth_call carries a gas cap and a timeout, at most `concurrency` calls run at once (the
 * others wait in a bounded line), and answers — yes and no, and whether an address has code — are cached (bounded, with a TTL) keyed
 * by wallet, digest and the signature's hash; concurrent asks of one key share one call. No answer (the RPC
 * down, slow, or too many checks waiting) throws ApiError CHAIN_UNAVAILABLE and is not cached.
 */
export class Erc1271Checker {
  private readonly answers: TtlCache<boolean>;
  private readonly code: TtlCache<boolean>;
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private readonly waiting: (() => void)[] = [];
  private active = 0;

  constructor(
    private readonly provider: Pick<Provider, "getCode" | "call">,
    private readonly settings: Erc1271Settings,
    private readonly onOutcome: (outcome: Erc1271Outcome) => void = () => undefined,
  ) {
    this.answers = new TtlCache(settings.cacheMax, settings.cacheTtlMs);
    this.code = new TtlCache(settings.cacheMax, settings.cacheTtlMs);
  }

  /** Whether `wallet` accepts `signature` over `digest` (false when it has no code). Throws CHAIN_UNAVAILABLE. */
  isValidSignature(wallet: string, digest: string, signature: string): Promise<boolean> {
    const sigHash = createHash("sha256").update(signature.toLowerCase()).digest("hex");
    const key = `${wallet.toLowerCase()}:${digest.toLowerCase()}:${sigHash}`;
    return this.memo(this.answers, key, true, () => this.ask(wallet, digest, signature));
  }

  /** Whether `address` holds code (cached like the answers). Throws CHAIN_UNAVAILABLE. */
  hasCode(address: string): Promise<boolean> {
    return this.memo(this.code, `code:${address.toLowerCase()}`, false, async () => {
      return (await this.bounded(`code of ${address}`, () => this.provider.getCode(address))) !== "0x";
    });
  }

  /** The cached answer under `key`, else the one in flight, else `ask`'s (cached once it comes). */
  private memo(cache: TtlCache<boolean>, key: string, count: boolean, ask: () => Promise<boolean>): Promise<boolean> {
    const hit = cache.get(key);
    if (hit !== undefined) {
      if (count) this.onOutcome("cached");
      return Promise.resolve(hit);
    }
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = ask().then((ok) => {
        cache.set(key, ok);
        return ok;
      });
      const forget = (): void => void this.inFlight.delete(key);
      pending.then(forget, forget);
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async ask(wallet: string, digest: string, signature: string): Promise<boolean> {
    if (!(await this.hasCode(wallet))) return false;
    const data = ERC1271.encodeFunctionData("isValidSignature", [digest, signature]);
    let out: string;
    try {
      out = await this.bounded(`isValidSignature at ${wallet}`, () =>
        this.provider.call({ to: wallet, data, gasLimit: BigInt(this.settings.gas) }),
      );
    } catch (e) {
      if (!isRefusal(e)) throw e;
      this.onOutcome("invalid");
      return false;
    }
    const ok = out.slice(0, 66).toLowerCase() === MAGIC_WORD;
    this.onOutcome(ok ? "valid" : "invalid");
    return ok;
  }

  /**
   * Runs `call` in one of `concurrency` slots (waiting in a bounded line for one), for at most `timeoutMs` once
   * it starts. A transport failure, the timeout, or a full line become CHAIN_UNAVAILABLE; a revert passes on.
   */
  private bounded<T>(what: string, call: () => Promise<T>): Promise<T> {
    const { timeoutMs, concurrency } = this.settings;
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        let settled = false;
        const settle = (f: () => void): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          this.release();
          f();
        };
        const late = (): void => reject(this.unavailable(`${what}: no answer in ${timeoutMs} ms`));
        const timer = setTimeout(() => settle(late), timeoutMs);
        call().then(
          (v) => settle(() => resolve(v)),
          (e: unknown) => settle(() => reject(isRefusal(e) ? e : this.unavailable(`${what}: ${message(e)}`))),
        );
      };
      if (this.active < concurrency) {
        this.active++;
        start();
      } else if (this.waiting.length < concurrency * WAITING_PER_SLOT) this.waiting.push(start);
      else reject(this.unavailable(`${what}: too many contract-wallet checks waiting`));
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  private unavailable(detail: string): ApiError {
    this.onOutcome("unavailable");
    return new ApiError(
      "CHAIN_UNAVAILABLE",
      "a contract wallet's signature cannot be checked now (the chain does not answer); retry later",
      { reason: "erc1271", detail },
    );
  }
}

/** A call the wallet refused (reverted, ran out of its gas, hit an invalid opcode): an answer, not a failure. */
function isRefusal(e: unknown): boolean {
  if (e instanceof ApiError) return false;
  return isError(e, "CALL_EXCEPTION") || /revert|out of gas|invalid opcode/i.test(message(e));
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";
