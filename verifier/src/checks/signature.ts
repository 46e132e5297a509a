import { sameAddress } from "../crypto/signature";
import type { ChainReads } from "./chainReads";
import { failed, guard, passed, type Outcome } from "./checkLog";
import { ecdsaSigner, isSignedBy } from "./isSignedBy";

/** What SIGNATURE fails with. */
export type SignatureCode = "BAD_SIGNATURE";

/** SIGNATURE: `signature` is the attester's over `digest`, ECDSA or (when the attester has code) ERC-1271. */
export function checkSignature(
  reads: ChainReads,
  attester: string,
  digest: string,
  signature: string,
): Promise<Outcome<SignatureCode>> {
  return guard("BAD_SIGNATURE", "signature", async () => {
    if (await isSignedBy(reads, attester, digest, signature)) return passed();
    return failed("BAD_SIGNATURE", `not a signature of ${attester} (ECDSA or ERC-1271) over ${digest}`, "signature");
  });
}

/** SIGNATURE without a chain: only an ECDSA signature by the attester's key can pass (no ERC-1271). */
export function checkSignatureOffline(attester: string, digest: string, signature: string): Outcome<SignatureCode> {
  const signer = ecdsaSigner(digest, signature);
  if (signer !== undefined && sameAddress(signer, attester)) return passed();
  return failed("BAD_SIGNATURE", `not an ECDSA signature of ${attester} (offline: no ERC-1271)`, "signature");
}
