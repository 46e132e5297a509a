import { parseBundle, type ReceiptBundle } from "./formats/bundle";
import { CHECKS, DEPENDS_ON, verdict, type CheckName, type CheckResult, type VerifyResult } from "./checks/types";
import { domainSeparator, receiptDomain } from "./formats/eip712";
import { fromHex } from "./formats/hex";
import { verifyProof } from "./merkle/merkle";
import { receiptDigest } from "./formats/receipt";
import { recoverAddress, sameAddress } from "./crypto/signature";

/**
 * The checks that need no chain: FORMAT, DIGEST, SIGNATURE (ECDSA only) and INCLUSION. Shared by the
 * offline verifier below and the full verifier (verify.ts), so both judge a bundle by the same code.
 */

/** Collects check results in order and answers whether a check's dependencies all passed. */
export class CheckLog {
  readonly checks: CheckResult[] = [];

  pass(check: CheckName, message?: string): void {
    this.checks.push(message === undefined ? { check, status: "pass" } : { check, status: "pass", message });
  }

  fail(check: CheckName, code: CheckResult["code"], message: string): void {
    this.checks.push({ check, status: "fail", code, message });
  }

  skip(check: CheckName, code: CheckResult["code"], message: string): void {
    this.checks.push({ check, status: "skip", code, message });
  }

  error(check: CheckName, message: string): void {
    this.checks.push({ check, status: "error", code: "RPC_ERROR", message });
  }

  passed(check: CheckName): boolean {
    return this.checks.some((c) => c.check === check && c.status === "pass");
  }

  /** True when every dependency of `check` passed; otherwise records `check` as skipped. */
  ready(check: CheckName): boolean {
    const missing = DEPENDS_ON[check].filter((d) => !this.passed(d));
    if (missing.length === 0) return true;
    this.skip(check, "DEPENDENCY_FAILED", `needs ${missing.join(", ")}`);
    return false;
  }

  /** Records every check of `names` not yet reported as skipped (after a FORMAT failure). */
  skipRest(names: readonly CheckName[]): void {
    for (const n of names) if (!this.checks.some((c) => c.check === n)) this.ready(n);
  }
}

const separators = new Map<string, string>();

/** The receipt domain separator of (chainId, anchor), memoized: ethers' domain hashing is slow. */
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

/** FORMAT: parses the untrusted input; on failure records the field at fault and returns undefined. */
export function checkFormat(log: CheckLog, input: unknown): ReceiptBundle | undefined {
  try {
    const bundle = parseBundle(input);
    log.pass("FORMAT");
    return bundle;
  } catch (e) {
    // parseBundle throws InvalidArgumentError for bad input; anything else would be our bug, but a
    // verifier must still answer, so it is reported as a malformed bundle too.
    log.fail("FORMAT", "MALFORMED_BUNDLE", e instanceof Error ? e.message : String(e));
    return undefined;
  }
}

/** DIGEST: recomputes the digest from the receipt fields with the pinned types; returns it. */
export function checkDigest(log: CheckLog, b: ReceiptBundle): string {
  const digest = receiptDigest(b.receipt, receiptDomainSeparator(b.chainId, b.contracts.anchor));
  if (digest === b.digest) log.pass("DIGEST");
  else log.fail("DIGEST", "DIGEST_MISMATCH", `the receipt fields hash to ${digest}, the bundle says ${b.digest}`);
  return digest;
}

/** The ECDSA signer of `digest`, or undefined when `signature` is not a valid 65-byte low-s signature. */
export function ecdsaSigner(digest: string, signature: string): string | undefined {
  try {
    return recoverAddress(fromHex(digest), signature);
  } catch {
    return undefined;
  }
}

/** SIGNATURE without a chain: only an ECDSA signature by the attester key can pass. */
function checkSignatureOffline(log: CheckLog, b: ReceiptBundle, digest: string): void {
  const signer = ecdsaSigner(digest, b.signature);
  if (signer !== undefined && sameAddress(signer, b.receipt.attester)) log.pass("SIGNATURE");
  else log.fail("SIGNATURE", "BAD_SIGNATURE", `not an ECDSA signature of ${b.receipt.attester} (offline: no ERC-1271)`);
}

/** INCLUSION: the proof leads from the digest's leaf to the bundle's root. */
export function checkInclusion(log: CheckLog, b: ReceiptBundle, digest: string): void {
  let ok: boolean;
  try {
    ok = verifyProof(b.batch.root, digest, b.proof);
  } catch {
    ok = false; // parseBundle already refused malformed elements; a throw here still means "not included"
  }
  if (ok) log.pass("INCLUSION");
  else log.fail("INCLUSION", "NOT_INCLUDED", `the proof does not lead from the receipt's leaf to ${b.batch.root}`);
}

const OFFLINE: readonly CheckName[] = ["DIGEST", "SIGNATURE", "INCLUSION"];

/**
 * Verifies what can be verified without a chain: bundle shape, digest, ECDSA signature and merkle
 * inclusion. Synchronous and pure, for benchmarks and for a first look; it proves nothing about anchoring
 * or roles, so it is never a substitute for {@link verifyReceiptBundle}. Await `keccakReady()` once first
 * for speed (it is correct either way). Never throws.
 */
export function verifyBundleOffline(input: unknown): VerifyResult {
  const log = new CheckLog();
  const bundle = checkFormat(log, input);
  let digest: string | undefined;
  if (bundle === undefined) {
    log.skipRest(OFFLINE);
  } else {
    digest = checkDigest(log, bundle);
    if (log.passed("DIGEST")) checkSignatureOffline(log, bundle, digest);
    else log.skip("SIGNATURE", "DEPENDENCY_FAILED", "needs DIGEST");
    if (log.ready("INCLUSION")) checkInclusion(log, bundle, digest);
  }
  const result: VerifyResult = { ...verdict(log.checks), checks: log.checks };
  if (digest !== undefined) result.digest = digest;
  return result;
}

/** The result for input that is not even JSON: FORMAT fails with `message`, every other check is skipped. */
export function malformedResult(message: string): VerifyResult {
  const log = new CheckLog();
  log.fail("FORMAT", "MALFORMED_BUNDLE", message);
  log.skipRest(CHECKS);
  return { ...verdict(log.checks), checks: log.checks };
}
