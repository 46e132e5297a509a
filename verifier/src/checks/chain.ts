import { sameAddress } from "../crypto/signature";
import type { ChainReads } from "./chainReads";
import { failed, guard, passed, type Outcome } from "./checkLog";

/** What CHAIN fails with (for receipt bundles and timelines alike). */
export type ChainCode = "WRONG_CHAIN" | "NO_CONTRACT_CODE" | "REGISTRY_MISMATCH" | "UNTRUSTED_CONTRACTS";

/** What an input (a receipt bundle, a timeline) says about its chain. */
export interface ChainClaim {
  chainId: number;
  contracts: { anchor: string; registry: string };
}

/**
 * CHAIN: the RPC serves the input's chain; its contracts are the trusted ones when `trusted` names them;
 * both have code; and the anchor's `registry()` is the input's registry. Everything after reads this chain,
 * so nothing runs against the wrong one or against look-alike contracts that were never deployed.
 */
export function checkChain(
  reads: ChainReads,
  claim: ChainClaim,
  trusted?: { anchor?: string; registry?: string },
): Promise<Outcome<ChainCode>> {
  const { anchor, registry } = claim.contracts;
  const named = [
    ["anchor", anchor],
    ["registry", registry],
  ] as const;
  // A revert of `registry()` means the anchor is not a ReceiptAnchor: the anchor field is at fault.
  return guard<ChainCode>("REGISTRY_MISMATCH", "contracts.anchor", async () => {
    const chainId = await reads.chainId();
    if (chainId !== BigInt(claim.chainId)) {
      return failed(
        "WRONG_CHAIN",
        `the RPC serves chain ${chainId}, the input is for chain ${claim.chainId}`,
        "chainId",
      );
    }
    for (const [key, address] of named) {
      const want = trusted?.[key];
      if (want && !sameAddress(want, address)) {
        const message = `the input names anchor ${anchor} and registry ${registry}, not the trusted deployment`;
        return failed("UNTRUSTED_CONTRACTS", message, `contracts.${key}`);
      }
    }
    for (const [key, address] of named) {
      if (!(await reads.hasCode(address))) {
        return failed("NO_CONTRACT_CODE", `no contract at ${address} on chain ${claim.chainId}`, `contracts.${key}`);
      }
    }
    const linked = await reads.anchorRegistry(anchor);
    if (!sameAddress(linked, registry)) {
      return failed(
        "REGISTRY_MISMATCH",
        `anchor ${anchor} uses registry ${linked}, not ${registry}`,
        "contracts.registry",
      );
    }
    return passed();
  });
}
