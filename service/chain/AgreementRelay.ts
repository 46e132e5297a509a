import { ChainReadError } from "@repayproof/verifier";
import { ApiError, type ErrorCode } from "../errors";
import { REGISTRY_ABI } from "./abi";
import { agreementCallData, type AgreementRequest } from "./agreementCall";
import type { Chain } from "./Chain";
import { isFeeCapError } from "./fees";
import type { RelayQuota } from "./RelayQuota";
import type { TxSender } from "./TxSender";

export type { AgreementRequest };

/** How long a relayed registration may take to be mined before the request gives up. */
const RELAY_TIMEOUT_MS = 60_000;

/** The registry's custom errors → our codes; anything else it refuses is INVALID_BODY. */
const REVERT_CODES: Record<string, ErrorCode> = {
  AgreementRegistryInvalidSignature: "BAD_SIGNATURE",
  AgreementRegistryAgreementExists: "AGREEMENT_EXISTS",
  AgreementRegistryUnknownAgreement: "UNKNOWN_AGREEMENT",
};

/** What the relay needs besides the chain: who sends, and what to tell after a registration is mined. */
export interface AgreementRelayDeps {
  chain: Chain;
  /** The relay's own sender (RELAY_KEY), never the anchoring key's; undefined: the relay is disabled. */
  sender: TxSender | undefined;
  /** Why it is disabled (the RELAY_DISABLED message). */
  disabledReason?: string;
  quota: RelayQuota;
  /** Gas limit a registration may use at most (RELAY_GAS_MAX). */
  gasMax: number;
  /** Re-reads the agreement's terms once the transaction is mined. */
  refreshTerms(agreementId: string): Promise<void>;
  onRpcError(message: string): void;
  onRelayed?(party: string, txHash: string): void;
}

/**
 * Relays a signed registration (version 1) or amendment to the AgreementRegistry on behalf of its platform or
 * funder (`party`, authenticated by the route): a static call first, so a refused agreement costs no gas and
 * changes nothing (its custom error becomes our code); then a gas estimate held to RELAY_GAS_MAX, one slot of
 * the party's quota, and the transaction — signed with the relay's own key, mined before the answer.
 */
export class AgreementRelay {
  constructor(private readonly deps: AgreementRelayDeps) {}

  /** Throws 501 RELAY_DISABLED when this service relays nothing. */
  assertEnabled(): void {
    if (!this.deps.sender) {
      throw new ApiError("RELAY_DISABLED", this.deps.disabledReason ?? "this service relays no agreements");
    }
  }

  async relay(a: AgreementRequest, party: string): Promise<{ txHash: string }> {
    this.assertEnabled();
    const { chain, gasMax } = this.deps;
    const sender = this.deps.sender as TxSender;
    const named = [a.terms.platform, a.terms.funder].map((x) => x.toLowerCase());
    if (!named.includes(party.toLowerCase())) {
      throw new ApiError("FORBIDDEN", "only the agreement's platform or funder may have it relayed");
    }
    const tx = { to: chain.registry, data: agreementCallData(a) };
    let gas: bigint;
    try {
      await chain.provider.call({ ...tx, from: sender.address });
      gas = await chain.provider.estimateGas({ ...tx, from: sender.address });
    } catch (e) {
      throw this.refusal(e);
    }
    if (gas > BigInt(gasMax)) {
      throw new ApiError("INVALID_BODY", `this agreement needs ${gas} gas, above RELAY_GAS_MAX; register it directly`, {
        reason: "gas",
        gas: Number(gas),
        gasMax,
      });
    }
    const slot = this.deps.quota.take(party.toLowerCase());
    if (!slot.ok) {
      throw new ApiError("QUOTA_EXCEEDED", `the relay quota (${slot.scope}) is used up; retry later`, {
        scope: slot.scope,
        retryAfterS: slot.retryAfterS,
      });
    }
    const gasLimit = BigInt(Math.min(gasMax, Number((gas * 12n) / 10n + 10_000n)));
    let txHash: string;
    try {
      const sent = await sender.send({ ...tx, gasLimit }, async () => undefined);
      txHash = sent.hash;
      const receipt = await chain.provider.waitForTransaction(txHash, 1, RELAY_TIMEOUT_MS);
      if (!receipt || receipt.status !== 1) throw new Error(`transaction ${txHash} failed`);
    } catch (e) {
      if (isFeeCapError(e)) {
        throw new ApiError("CHAIN_UNAVAILABLE", "fees are above MAX_FEE_GWEI now; retry later", { retryAfterS: 60 });
      }
      throw this.refusal(e);
    }
    this.deps.onRelayed?.(party, txHash);
    await this.deps.refreshTerms(a.agreementId).catch(() => undefined);
    return { txHash };
  }

  /** A revert (with the registry's custom error when it names one) or the chain being unreachable. */
  private refusal(e: unknown): ApiError {
    if (e instanceof ApiError) return e;
    const data = revertData(e);
    if (data !== undefined) {
      const name = REGISTRY_ABI.parseError(data)?.name;
      if (name !== undefined) {
        return new ApiError(REVERT_CODES[name] ?? "INVALID_BODY", `the registry refused the agreement: ${name}`, {
          revert: name,
        });
      }
      return new ApiError("INVALID_BODY", "the registry refused the agreement");
    }
    const message = e instanceof Error ? e.message : String(e);
    this.deps.onRpcError(message);
    return new ApiError("CHAIN_UNAVAILABLE", "the chain cannot be reached now; retry later");
  }
}

/** The revert data of a failed call (ethers' CALL_EXCEPTION carries it), or undefined for a transport failure. */
function revertData(e: unknown): string | undefined {
  if (e instanceof ChainReadError) return undefined;
  const o = e as { code?: unknown; data?: unknown; info?: { error?: { data?: unknown } } };
  if (typeof o?.data === "string" && o.data.startsWith("0x")) return o.data;
  const inner = o?.info?.error?.data;
  if (typeof inner === "string" && inner.startsWith("0x")) return inner;
  if (o?.code === "CALL_EXCEPTION") return "0x";
  return undefined;
}
