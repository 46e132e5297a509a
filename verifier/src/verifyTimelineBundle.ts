import { type Provider } from "ethers";
import { ackSigningDigest } from "./formats/parseAck";
import {
  ChainReadError,
  hasCode,
  readAgreementVersions,
  readAnchorRegistry,
  readChainId,
  readIsValidErc1271,
  readOperatorOf,
} from "./chain/chainReader";
import { type CheckResult, type CheckStatus } from "./checks/types";
import { keccakReady } from "./crypto/keccak";
import { receiptDigest } from "./formats/receipt";
import { sameAddress } from "./crypto/signature";
import { ZERO_ADDRESS, type AgreementVersion } from "./formats/terms";
import {
  diffEvaluations,
  evaluateTimeline,
  type EvaluationDifference,
  type Evaluation,
} from "./timeline/evaluateTimeline";
import type { TimelineEvent } from "./timeline/types";
import {
  eventReceipt,
  parseTimelineBundle,
  type PendingTimelineEvent,
  type TimelineBundle,
} from "./formats/timelineBundle";
import { createVerifierCache, verifyReceiptBundle, type VerifyOptions } from "./verifyReceiptBundle";
import { ecdsaSigner, receiptDomainSeparator } from "./verifyOffline";

/** The checks of a timeline verification, in order (see docs/verifying.md, "verify-timeline"). */
export const TIMELINE_CHECKS = ["FORMAT", "CHAIN", "EVENTS", "TERMS", "AS_OF", "EVALUATION"] as const;
export type TimelineCheckName = (typeof TIMELINE_CHECKS)[number];

export type TimelineVerifyCode =
  | "MALFORMED_TIMELINE" // FORMAT
  | "WRONG_CHAIN" // CHAIN
  | "UNTRUSTED_CONTRACTS"
  | "REGISTRY_MISMATCH"
  | "EVENT_INVALID" // EVENTS: some event failed its own verification
  | "EVENT_FOREIGN" // EVENTS: some event belongs to another loan, agreement or deployment
  | "UNKNOWN_AGREEMENT" // TERMS
  | "TERMS_MISMATCH"
  | "ASOF_IN_FUTURE" // AS_OF
  | "EVALUATION_MISMATCH" // EVALUATION
  | "RPC_ERROR"
  | "DEPENDENCY_FAILED";

export interface TimelineCheckResult {
  check: TimelineCheckName;
  status: CheckStatus;
  code?: TimelineVerifyCode;
  message?: string;
}

/** One event's verdict: anchored events carry verifyReceiptBundle's checks, pending ones DIGEST/SIGNATURE/ACK. */
export interface TimelineEventResult {
  index: number;
  digest: string;
  pending: boolean;
  /** Of another loan, agreement or deployment than the timeline's: never verified further, never counted. */
  foreign: boolean;
  valid: boolean;
  /** Genuine (a late anchor or Ack breach aside): counted in the recomputed evaluation. */
  counted: boolean;
  inconclusive: boolean;
  /** From the chain (`anchorOf`), never from the bundle; null for pending events. */
  anchoredAt: number | null;
  checks: CheckResult[];
}

export interface TimelineVerifyResult {
  /** Every event verifies, the bundle's terms are the registry's, and the evaluation is reproduced exactly. */
  valid: boolean;
  /** Some check could not run (RPC failure): the result says nothing either way. */
  inconclusive: boolean;
  checks: TimelineCheckResult[];
  events: TimelineEventResult[];
  /** Where the bundle's copy of the agreement versions differs from the registry's (expected = chain). */
  termsDifferences: EvaluationDifference[];
  /** Where the service's evaluation differs from the recomputed one (expected = recomputed). */
  differences: EvaluationDifference[];
  /** The time the evaluation was recomputed at: `evaluation.asOf`, or a later anchor time of an event. */
  now?: number;
  evaluation?: Evaluation;
}

class Log {
  readonly checks: TimelineCheckResult[] = [];
  add(check: TimelineCheckName, status: CheckStatus, code?: TimelineVerifyCode, message?: string): void {
    this.checks.push({
      check,
      status,
      ...(code === undefined ? {} : { code }),
      ...(message === undefined ? {} : { message }),
    });
  }
  passed(check: TimelineCheckName): boolean {
    return this.checks.some((c) => c.check === check && c.status === "pass");
  }
  skipRemaining(because: string): void {
    for (const n of TIMELINE_CHECKS) {
      if (!this.checks.some((c) => c.check === n)) this.add(n, "skip", "DEPENDENCY_FAILED", because);
    }
  }
}

const transport = (e: unknown): boolean => !(e instanceof ChainReadError && e.kind === "revert");
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Whether `signature` is `signer`'s over `digest`: ECDSA, else ERC-1271 when the signer has code. */
async function signedBy(provider: Provider, signer: string, digest: string, signature: string): Promise<boolean> {
  const recovered = ecdsaSigner(digest, signature);
  if (recovered !== undefined && sameAddress(recovered, signer)) return true;
  return (await hasCode(provider, signer)) ? readIsValidErc1271(provider, signer, digest, signature) : false;
}

/** A pending event: DIGEST, SIGNATURE (attester), ACK (signed by the stream's operator; late by `asOf`?). */
async function verifyPending(
  t: TimelineBundle,
  p: PendingTimelineEvent,
  index: number,
  provider: Provider,
  operator: () => Promise<string>,
): Promise<TimelineEventResult> {
  const checks: CheckResult[] = [];
  const sep = receiptDomainSeparator(t.chainId, t.contracts.anchor);
  const digest = receiptDigest(p.receipt, sep);
  const result = (counted: boolean, valid: boolean, inconclusive = false): TimelineEventResult => ({
    index,
    digest,
    pending: true,
    foreign: false,
    valid,
    counted,
    inconclusive,
    anchoredAt: null,
    checks,
  });
  if (digest !== p.digest) {
    checks.push({ check: "DIGEST", status: "fail", code: "DIGEST_MISMATCH", message: `the fields hash to ${digest}` });
    return result(false, false);
  }
  checks.push({ check: "DIGEST", status: "pass" });
  try {
    if (!(await signedBy(provider, p.receipt.attester, digest, p.signature))) {
      checks.push({ check: "SIGNATURE", status: "fail", code: "BAD_SIGNATURE", message: "not the attester's" });
      return result(false, false);
    }
    checks.push({ check: "SIGNATURE", status: "pass" });
    const op = await operator();
    if (sameAddress(op, ZERO_ADDRESS)) {
      // Streams open with their first anchor: before it, no operator on chain can be held to the Ack.
      const message = `stream ${t.stream} has no operator on chain yet (nothing anchored in it)`;
      checks.push({ check: "ACK", status: "skip", code: "DEPENDENCY_FAILED", message });
      return result(true, true);
    }
    const ackHash = ackSigningDigest(sep, digest, p.ack);
    if (ackHash === undefined) {
      checks.push({ check: "ACK", status: "fail", code: "ACK_NOT_INCLUDED", message: "the batch ack's proof fails" });
      return result(true, false);
    }
    if (!(await signedBy(provider, op, ackHash, p.ack.signature))) {
      checks.push({ check: "ACK", status: "fail", code: "BAD_ACK_SIGNATURE", message: `not signed by ${op}` });
      return result(true, false);
    }
    if (t.asOf > p.ack.anchorBy) {
      const late = t.asOf - p.ack.anchorBy;
      const message = `${op} promised to anchor by ${p.ack.anchorBy}; still pending at ${t.asOf}, ${late}s late`;
      checks.push({ check: "ACK", status: "fail", code: "OPERATOR_BREACH_LATE_ANCHOR", message });
      return result(true, false);
    }
    checks.push({ check: "ACK", status: "pass" });
    return result(true, true);
  } catch (e) {
    checks.push({ check: "SIGNATURE", status: "error", code: "RPC_ERROR", message: messageOf(e) });
    return result(false, false, true);
  }
}

/** Runs `f` over `items` with at most `limit` in flight; results in input order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, f: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Re-verifies a `repayproof/timeline@1` bundle from the chain alone: FORMAT; CHAIN (the RPC serves its chain,
 * trusted contracts, the anchor's registry); EVENTS (every anchored event with {@link verifyReceiptBundle},
 * sharing one anchor cache; every pending one by digest, signature and Ack; all of this loan and agreement);
 * TERMS (the versions read from the registry, compared with the bundle's copy); AS_OF (the service's judgement
 * time is not after the chain's latest block); EVALUATION (recomputed with `evaluateTimeline` from the genuine
 * events, the registry's terms and the chain's anchor times, at `asOf` or a later anchor time, pending counted
 * as the service counts them, and compared with `diffEvaluations`). Never throws, never prints.
 */
export async function verifyTimelineBundle(input: unknown, options: VerifyOptions): Promise<TimelineVerifyResult> {
  await keccakReady();
  const { provider } = options;
  const cache = options.cache ?? createVerifierCache();
  const log = new Log();
  const result = (extra: Partial<TimelineVerifyResult> = {}): TimelineVerifyResult => {
    const inconclusive = log.checks.some((c) => c.status === "error");
    return {
      valid: !inconclusive && log.checks.every((c) => c.status === "pass"),
      inconclusive,
      checks: log.checks,
      events: [],
      termsDifferences: [],
      differences: [],
      ...extra,
    };
  };

  let t: TimelineBundle;
  try {
    t = parseTimelineBundle(input);
    log.add("FORMAT", "pass");
  } catch (e) {
    log.add("FORMAT", "fail", "MALFORMED_TIMELINE", messageOf(e));
    log.skipRemaining("needs FORMAT");
    return result();
  }
  const { anchor, registry } = t.contracts;

  // CHAIN: everything after reads this chain, so nothing runs against the wrong one.
  try {
    const chainId = await readChainId(provider);
    const trusted = options.contracts;
    if (chainId !== BigInt(t.chainId)) {
      log.add("CHAIN", "fail", "WRONG_CHAIN", `the RPC serves chain ${chainId}, the timeline is for ${t.chainId}`);
    } else if (
      (trusted?.anchor && !sameAddress(trusted.anchor, anchor)) ||
      (trusted?.registry && !sameAddress(trusted.registry, registry))
    ) {
      log.add("CHAIN", "fail", "UNTRUSTED_CONTRACTS", `anchor ${anchor}, registry ${registry}: not the trusted ones`);
    } else {
      const linked = await readAnchorRegistry(provider, anchor);
      if (sameAddress(linked, registry)) log.add("CHAIN", "pass");
      else log.add("CHAIN", "fail", "REGISTRY_MISMATCH", `anchor ${anchor} uses registry ${linked}`);
    }
  } catch (e) {
    if (transport(e)) log.add("CHAIN", "error", "RPC_ERROR", messageOf(e));
    else log.add("CHAIN", "fail", "REGISTRY_MISMATCH", messageOf(e));
  }
  if (!log.passed("CHAIN")) {
    log.skipRemaining("needs CHAIN");
    return result();
  }

  // EVENTS: each on its own; foreign events (another loan, agreement or deployment) are never counted.
  let operatorRead: Promise<string> | undefined;
  const operator = (): Promise<string> => (operatorRead ??= readOperatorOf(provider, anchor, t.stream));
  const events = await mapLimited(t.events, 16, async (e, index): Promise<TimelineEventResult> => {
    const { receipt, digest } = eventReceipt(e);
    const foreign =
      receipt.loanId !== t.loanId ||
      receipt.agreementId !== t.agreement.id ||
      (e.kind === "anchored" &&
        (e.bundle.chainId !== t.chainId ||
          !sameAddress(e.bundle.contracts.anchor, anchor) ||
          !sameAddress(e.bundle.contracts.registry, registry)));
    if (foreign) {
      return {
        index,
        digest,
        pending: e.kind === "pending",
        foreign: true,
        valid: false,
        counted: false,
        inconclusive: false,
        anchoredAt: null,
        checks: [],
      };
    }
    if (e.kind === "pending") return verifyPending(t, e.pending, index, provider, operator);
    const r = await verifyReceiptBundle(e.json, { ...options, contracts: t.contracts, cache });
    return {
      index,
      digest,
      pending: false,
      foreign: false,
      valid: r.valid,
      counted: r.authentic && r.anchor !== undefined,
      inconclusive: r.inconclusive,
      anchoredAt: r.anchor?.timestamp ?? null,
      checks: r.checks,
    };
  });
  const foreignCount = events.filter((r) => r.foreign).length;
  const bad = events.filter((r) => !r.valid && !r.inconclusive);
  if (events.some((r) => r.inconclusive)) {
    log.add(
      "EVENTS",
      "error",
      "RPC_ERROR",
      `${events.filter((r) => r.inconclusive).length} event(s) could not be checked`,
    );
  } else if (foreignCount > 0) {
    log.add("EVENTS", "fail", "EVENT_FOREIGN", `${foreignCount} event(s) of another loan, agreement or deployment`);
  } else if (bad.length > 0) {
    log.add("EVENTS", "fail", "EVENT_INVALID", `event(s) ${bad.map((r) => r.index).join(", ")} do not verify`);
  } else {
    log.add("EVENTS", "pass", undefined, `${events.length} event(s) verified`);
  }

  // TERMS: from the registry, never the bundle's copy; the copy is compared and any difference reported.
  let versions: AgreementVersion[] | undefined;
  let termsDifferences: EvaluationDifference[] = [];
  try {
    versions = await readAgreementVersions(provider, registry, t.agreement.id);
    if (versions === undefined) {
      log.add("TERMS", "fail", "UNKNOWN_AGREEMENT", `the registry does not know agreement ${t.agreement.id}`);
    } else {
      termsDifferences = diffEvaluations(versions, t.agreement.versions).map((d) => ({
        ...d,
        path: d.path.replace(/^\$/, "$.agreement.versions"),
      }));
      if (termsDifferences.length === 0) log.add("TERMS", "pass", undefined, `${versions.length} version(s)`);
      else log.add("TERMS", "fail", "TERMS_MISMATCH", `${termsDifferences.length} difference(s) from the registry`);
    }
  } catch (e) {
    if (transport(e)) log.add("TERMS", "error", "RPC_ERROR", messageOf(e));
    else log.add("TERMS", "fail", "UNKNOWN_AGREEMENT", messageOf(e));
  }

  // AS_OF: the service may judge only at a time the chain has reached.
  try {
    const latest = (await provider.getBlock("latest"))?.timestamp;
    if (latest === undefined) throw new Error("the RPC returned no latest block");
    if (t.asOf > latest) {
      log.add("AS_OF", "fail", "ASOF_IN_FUTURE", `asOf ${t.asOf} is after the latest block's time ${latest}`);
    } else log.add("AS_OF", "pass");
  } catch (e) {
    log.add("AS_OF", "error", "RPC_ERROR", messageOf(e));
  }

  // EVALUATION: recomputed from what verified, with the chain's terms and anchor times.
  const eventsDone = log.checks.some((c) => c.check === "EVENTS" && c.status !== "error");
  if (versions === undefined || !eventsDone) {
    log.add("EVALUATION", "skip", "DEPENDENCY_FAILED", "needs the registry's terms and every event checked");
    return result({ events, termsDifferences });
  }
  const counted: TimelineEvent[] = events
    .filter((r) => r.counted)
    .map((r) => ({ digest: r.digest, receipt: eventReceipt(t.events[r.index]!).receipt, anchoredAt: r.anchoredAt }));
  const now = counted.reduce((m, e) => Math.max(m, e.anchoredAt ?? 0), t.asOf);
  let evaluation: Evaluation;
  try {
    evaluation = evaluateTimeline({ events: counted, versions, now, includePending: true });
  } catch (e) {
    log.add("EVALUATION", "fail", "EVALUATION_MISMATCH", `cannot recompute: ${messageOf(e)}`);
    return result({ events, termsDifferences, now });
  }
  const differences = diffEvaluations(evaluation, t.evaluation).map((d) => ({
    ...d,
    path: d.path.replace(/^\$/, "$.evaluation"),
  }));
  if (differences.length === 0) log.add("EVALUATION", "pass", undefined, `recomputed at ${now}: identical`);
  else
    log.add(
      "EVALUATION",
      "fail",
      "EVALUATION_MISMATCH",
      `${differences.length} difference(s), first at ${differences[0]!.path}`,
    );
  return result({ events, termsDifferences, differences, now, evaluation });
}
