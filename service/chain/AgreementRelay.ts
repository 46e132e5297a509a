import { ChainReadError } from "@repayproof/verifier";
import type { Terms } from "@repayproof/verifier";
import { ApiError, type ErrorCode } from "../errors";
import { REGISTRY_ABI } from "./abi";
import type { Chain } from "./Chain";
import type { TxSender } from "./TxSender";

/** How long a relayed registration may take to be mined before the request gives up. */
const RELAY_TIMEOUT_MS = 60_000;

/** The registry's custom errors → our codes; anything else it refuses is INVALID_BODY. */
const REVERT_CODES: Record<string, ErrorCode> = {
  AgreementRegistryInvalidSignature: "BAD_SIGNATURE",
  AgreementRegistryAgreementExists: "AGREEMENT_EXISTS",
  AgreementRegistryUnknownAgreement: "UNKNOWN_AGREEMENT",
};

/** A `POST /v1/agreements` body, validated at the edge (routes/agreementRoutes.ts). */
export interface AgreementRequest {
  agreementId: string;
  version: number;
  terms: Terms;
  signatures: { platform: string; funder: string; collector: string; guarantor: string };
}

/** What the relay needs besides the chain: who sends, and what to tell after a registration is mined. */
export interface AgreementRelayDeps {
  chain: Chain;
  sender: TxSender;
  /** Re-reads the agreement's terms once the transaction is mined. */
  refreshTerms(agreementId: string): Promise<void>;
  onRpcError(message: string): void;
}

/**
 * Relays a signed registration (version 1) or amendment to the AgreementRegistry: a static call first, so a
 * refused agreement costs no gas and changes nothing (its custom error becomes our code), then the
 * transaction, mined before the answer.
 */
export class AgreementRelay {
  constructor(private readonly deps: AgreementRelayDeps) {}

  async relay(a: AgreementRequest): Promise<{ txHash: string }> {
    const { chain, sender } = this.deps;
    const t = a.terms;
    const terms = [
      t.platform,
      t.funder,
      t.collector,
      t.guarantor,
      t.channels,
      t.graceSecs,
      t.settleSecs,
      t.forwardSecs,
      t.confirmSecs,
      t.reportSecs,
      t.disclosureHash,
    ];
    const s = a.signatures;
    const sigs = [s.platform, s.funder, s.collector, s.guarantor];
    const data =
      a.version === 1
        ? REGISTRY_ABI.encodeFunctionData("register", [a.agreementId, terms, sigs])
        : REGISTRY_ABI.encodeFunctionData("amend", [a.agreementId, a.version, terms, sigs]);
    const tx = { to: chain.registry, data };
    try {
      await chain.provider.call({ ...tx, from: chain.wallet.address });
    } catch (e) {
      throw this.refusal(e);
    }
    let txHash: string;
    try {
      const sent = await sender.send(tx, async () => undefined);
      txHash = sent.hash;
      const receipt = await chain.provider.waitForTransaction(txHash, 1, RELAY_TIMEOUT_MS);
      if (!receipt || receipt.status !== 1) throw new Error(`transaction ${txHash} failed`);
    } catch (e) {
      throw this.refusal(e);
    }
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
