import { parseBundle } from "./formats/bundle";
import { skipped } from "./checks/checkLog";
import { checkDigest, receiptDomainSeparator } from "./checks/digest";
import { checkFormat } from "./checks/format";
import { checkInclusion } from "./checks/inclusion";
import { checkSignatureOffline } from "./checks/signature";
import { receiptCheckLog, verdict, type CheckName, type VerifyResult } from "./checks/types";

export { receiptDomainSeparator } from "./checks/digest";
export { ecdsaSigner } from "./checks/isSignedBy";

const OFFLINE: readonly CheckName[] = ["FORMAT", "DIGEST", "SIGNATURE", "INCLUSION"];

/**
 * Verifies what can be verified without a chain: bundle shape, digest, ECDSA signature and merkle
 * inclusion, with the same check functions as {@link verifyReceiptBundle}. Synchronous and pure, for
 * benchmarks and for a first look; it proves nothing about anchoring or roles, so it is never a substitute
 * for `verifyReceiptBundle`. Await `keccakReady()` once first for speed (it is correct either way). Never
 * throws.
 */
export function verifyBundleOffline(input: unknown): VerifyResult {
  const log = receiptCheckLog();
  const format = checkFormat(parseBundle, input, "MALFORMED_BUNDLE");
  log.add("FORMAT", format.outcome);
  const b = format.value;
  if (b === undefined) {
    for (const c of OFFLINE.slice(1)) log.add(c, skipped("DEPENDENCY_FAILED", "needs FORMAT"));
    return { ...verdict(log.checks), checks: log.checks };
  }
  const separator = receiptDomainSeparator(b.chainId, b.contracts.anchor);
  const { digest, outcome } = checkDigest(b.receipt, b.digest, separator);
  log.add("DIGEST", outcome);
  // Offline there is no CHAIN: SIGNATURE and INCLUSION need only DIGEST here.
  if (log.passed("DIGEST")) log.add("SIGNATURE", checkSignatureOffline(b.receipt.attester, digest, b.signature));
  else log.add("SIGNATURE", skipped("DEPENDENCY_FAILED", "needs DIGEST"));
  if (log.ready("INCLUSION")) log.add("INCLUSION", checkInclusion(b.batch.root, digest, b.proof));
  return { ...verdict(log.checks), digest, checks: log.checks };
}

/** The result for input that is not even JSON: FORMAT fails with `message`, every other check is skipped. */
export function malformedResult(message: string): VerifyResult {
  const log = receiptCheckLog();
  log.add("FORMAT", { status: "fail", code: "MALFORMED_BUNDLE", message });
  log.skipRest();
  return { ...verdict(log.checks), checks: log.checks };
}
