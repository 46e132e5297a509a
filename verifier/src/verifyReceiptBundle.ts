import type { Provider } from "ethers";
import type { AnchorRecord } from "./chain/chainReader";
import { keccakReady } from "./crypto/keccak";
import { parseBundle } from "./formats/bundle";
import { checkAck, type AckDeadline } from "./checks/ack";
import { checkAnchor } from "./checks/anchor";
import { checkChain } from "./checks/chain";
import { ChainReads, type VerifierCache } from "./checks/chainReads";
import { skipped } from "./checks/checkLog";
import { checkDigest, receiptDomainSeparator } from "./checks/digest";
import { checkFinality } from "./checks/finality";
import { checkFormat } from "./checks/format";
import { checkInclusion } from "./checks/inclusion";
import { checkRole } from "./checks/role";
import { checkSignature } from "./checks/signature";
import { receiptCheckLog, verdict, type AnchorInfo, type OperatorBreach, type VerifyResult } from "./checks/types";

export { createVerifierCache, type VerifierCache } from "./checks/chainReads";

/** How to verify: the chain to read, what to trust, how final an anchor must be. */
export interface VerifyOptions {
  /** Any ethers v6 provider for the bundle's chain (JsonRpcProvider, `hre.ethers.provider`). */
  provider: Provider;
  /** Blocks the anchor needs, counting its own (1 = mined). Default 1. */
  confirmations?: number;
  /**
   * The deployment you trust. A bundle names its own contracts, and anyone can deploy a look-alike
   * ReceiptAnchor; set this (from `deployments/<chainId>.json` or the operator's published addresses)
   * to refuse bundles that point elsewhere (`UNTRUSTED_CONTRACTS`).
   */
  contracts?: { anchor?: string; registry?: string };
  cache?: VerifierCache;
}

/**
 * Verifies a receipt proof bundle against the chain, trusting nothing in it that the chain can say:
 * FORMAT, CHAIN, DIGEST, SIGNATURE, ROLE, INCLUSION, ANCHOR, FINALITY, ACK, in that order, each reported
 * with a stable code and, when it fails, the field it failed on (checks/types.ts). A check whose
 * dependencies failed is reported `skip`. `input` is any JSON value (the parsed file); this function never
 * throws and never prints.
 */
export async function verifyReceiptBundle(input: unknown, options: VerifyOptions): Promise<VerifyResult> {
  await keccakReady();
  const reads = new ChainReads(options.provider, options.cache);
  const log = receiptCheckLog();
  const format = checkFormat(parseBundle, input, "MALFORMED_BUNDLE");
  log.add("FORMAT", format.outcome);
  const b = format.value;
  if (b === undefined) {
    log.skipRest();
    return { ...verdict(log.checks), checks: log.checks };
  }
  const { anchor, registry } = b.contracts;
  const r = b.receipt;

  log.add("CHAIN", await checkChain(reads, b, options.contracts));
  const separator = receiptDomainSeparator(b.chainId, anchor);
  const { digest, outcome: digestOutcome } = checkDigest(r, b.digest, separator);
  log.add("DIGEST", digestOutcome);

  // The reads that need only CHAIN start together, so a JSON-RPC provider sends them in one batch; their
  // results are still judged in check order below. Rejections are handled where each is awaited.
  const prefetch = <T>(read: () => Promise<T>): Promise<T> => {
    const p = log.passed("CHAIN") ? read() : Promise.reject(new Error("CHAIN did not pass"));
    p.catch(() => undefined);
    return p;
  };
  const authorized = prefetch(() => reads.isAuthorized(registry, r.agreementId, r.attester, r.kind, r.occurredAt));
  const anchored = prefetch(() => reads.anchorOf(anchor, b.batch.root));
  const latest = prefetch(() => reads.blockNumber());

  if (log.ready("SIGNATURE")) log.add("SIGNATURE", await checkSignature(reads, r.attester, digest, b.signature));
  if (log.ready("ROLE")) log.add("ROLE", await checkRole(authorized, r));
  if (log.ready("INCLUSION")) log.add("INCLUSION", checkInclusion(b.batch.root, digest, b.proof));

  let record: AnchorRecord | undefined;
  if (log.ready("ANCHOR")) {
    const a = await checkAnchor(anchored, b.batch, anchor, b.receipt.occurredAt);
    record = a.record;
    log.add("ANCHOR", a.outcome);
  }

  let info: AnchorInfo | undefined;
  if (log.ready("FINALITY") && record !== undefined) {
    const f = await checkFinality(latest, record, options.confirmations ?? 1);
    info = f.info;
    log.add("FINALITY", f.outcome);
  }

  let breach: OperatorBreach | undefined;
  if (b.ack === undefined) {
    log.add("ACK", skipped("NO_ACK", "the bundle carries no ack"));
  } else if (log.ready("ACK")) {
    // The anchor time comes from the chain; without an anchor, the latest block says whether it is overdue.
    const deadline: AckDeadline =
      record !== undefined && log.passed("ANCHOR")
        ? { kind: "anchored", at: record.timestamp }
        : log.find("ANCHOR")?.code === "NOT_ANCHORED"
          ? { kind: "unanchored", now: () => reads.latestBlockTime(), what: "still not anchored" }
          : { kind: "unknown" };
    const subject = { ack: b.ack, digest, domainSeparator: separator, anchor, stream: b.batch.stream };
    const a = await checkAck(reads, subject, deadline);
    breach = a.breach;
    log.add("ACK", a.outcome);
  }

  const result: VerifyResult = { ...verdict(log.checks), digest, checks: log.checks };
  if (info !== undefined) result.anchor = info;
  if (breach !== undefined) result.breach = breach;
  return result;
}
