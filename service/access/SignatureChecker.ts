import { fromHex, recoverAddress, sameAddress } from "@repayproof/verifier";
import type { Erc1271Checker } from "../chain/Erc1271Checker";

/**
 * Whether a signature is `signer`'s by OpenZeppelin SignatureChecker's rule, as the contracts and the verifier
 * judge it: an ECDSA signature recovering to `signer`, else — when `signer` holds code — its ERC-1271
 * `isValidSignature` answering the magic value, asked through the chain's bounded checker (gas cap, timeout,
 * bounded concurrency, answers cached briefly: SIG_CHECK_*), so a repeated token or share costs no second
 * call. An EOA's answer needs no chain; no answer from the chain for a wallet throws CHAIN_UNAVAILABLE (503),
 * never a "no".
 */
export class SignatureChecker {
  constructor(private readonly wallets: Erc1271Checker) {}

  async isSignedBy(signer: string, digest: Uint8Array | string, signature: string): Promise<boolean> {
    const d = typeof digest === "string" ? fromHex(digest) : digest;
    if (/^0x[0-9a-fA-F]{130}$/.test(signature)) {
      try {
        if (sameAddress(recoverAddress(d, signature), signer)) return true;
      } catch {
        // not a valid ECDSA signature: a wallet's signature may still be
      }
    }
    return this.wallets.isValidSignature(signer, "0x" + Buffer.from(d).toString("hex"), signature);
  }
}
