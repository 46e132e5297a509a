import { fromHex } from "../formats/hex";
import { recoverAddress, sameAddress } from "../crypto/signature";
import type { ChainReads } from "./chainReads";

/** The ECDSA signer of `digest`, or undefined when `signature` is not a valid 65-byte low-s signature. */
export function ecdsaSigner(digest: string, signature: string): string | undefined {
  try {
    return recoverAddress(fromHex(digest), signature);
  } catch {
    return undefined;
  }
}

/**
 * Whether `signature` is `signer`'s over `digest`, by OpenZeppelin `SignatureChecker`'s rule (what the
 * contracts accept): an ECDSA signature by the signer's key first; otherwise, when the signer has code,
 * ERC-1271 `isValidSignature`. Used for receipts (the attester) and Acks (the stream's operator) alike.
 * Throws the chain reader's `ChainReadError` when the chain cannot be read.
 */
export async function isSignedBy(
  reads: ChainReads,
  signer: string,
  digest: string,
  signature: string,
): Promise<boolean> {
  const recovered = ecdsaSigner(digest, signature);
  if (recovered !== undefined && sameAddress(recovered, signer)) return true;
  return (await reads.hasCode(signer)) ? reads.isValidErc1271(signer, digest, signature) : false;
}
