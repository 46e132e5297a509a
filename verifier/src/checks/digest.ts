import { domainSeparator, receiptDomain } from "../formats/eip712";
import { receiptDigest, type Receipt } from "../formats/receipt";
import { failed, passed, type Outcome } from "./checkLog";

const separators = new Map<string, string>();

/** The receipt domain separator of (chainId, anchor), memoized: thousands of bundles share a handful. */
export function receiptDomainSeparator(chainId: number, anchor: string): string {
  const key = `${chainId}:${anchor.toLowerCase()}`;
  let sep = separators.get(key);
  if (sep === undefined) {
    sep = domainSeparator(receiptDomain(chainId, anchor));
    if (separators.size > 1024) separators.clear();
    separators.set(key, sep);
  }
  return sep;
}

/**
 * DIGEST: recomputes the receipt's EIP-712 digest with the pinned types (never types from the input) and
 * compares it with the `claimed` one. Returns the recomputed digest either way: later checks judge that one.
 */
export function checkDigest(
  receipt: Receipt,
  claimed: string,
  separator: string,
): { digest: string; outcome: Outcome<"DIGEST_MISMATCH"> } {
  const digest = receiptDigest(receipt, separator);
  if (digest === claimed) return { digest, outcome: passed() };
  const message = `the receipt fields hash to ${digest}, the input says ${claimed}`;
  return { digest, outcome: failed("DIGEST_MISMATCH", message, "digest") };
}
