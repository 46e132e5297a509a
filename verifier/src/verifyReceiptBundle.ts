import { type Provider } from "ethers";
import { ackSigningDigest } from "./formats/parseAck";
import { type ReceiptBundle } from "./formats/bundle";
import {
  ChainReadError,
  hasCode,
  readAnchorOf,
  readAnchorRegistry,
  readBlockNumber,
  readChainId,
  readIsAuthorized,
  readIsValidErc1271,
  readOperatorOf,
  type AnchorRecord,
} from "./chain/chainReader";
import { CHECKS, verdict, type AnchorInfo, type OperatorBreach, type VerifyResult } from "./checks/types";
import { keccakReady } from "./crypto/keccak";
import { sameAddress } from "./crypto/signature";
import {
  CheckLog,
  checkDigest,
  checkFormat,
  checkInclusion,
  ecdsaSigner,
  receiptDomainSeparator,
} from "./verifyOffline";

/**
 * Memo of chain reads shared across many verifications (the CLI, benchmarks): `anchors` maps
 * `<anchor>:<root>` to its `anchorOf` answer, `facts` holds reads that do not change (chain id, code,
 * registry, operators). Failed reads are dropped so they are retried. Use one cache per RPC endpoint.
 */
export interface VerifierCache {
  anchors: Map<string, Promise<AnchorRecord>>;
  facts: Map<string, Promise<unknown>>;
}

/** An empty {@link VerifierCache}. */
export function createVerifierCache(): VerifierCache {
  return { anchors: new Map(), facts: new Map() };
}

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

function memo<T>(map: Map<string, Promise<unknown>> | undefined, key: string, read: () => Promise<T>): Promise<T> {
  if (map === undefined) return read();
  let p = map.get(key) as Promise<T> | undefined;
  if (p === undefined) {
    p = read();
    map.set(key, p);
    p.catch(() => map.delete(key));
  }
  return p;
}

/** Runs one chain-reading check; an RPC failure becomes an `error` status, a revert a `fail` with `code`. */
async function guarded(
  log: CheckLog,
  check: (typeof CHECKS)[number],
  onRevert: Parameters<CheckLog["fail"]>[1],
  body: () => Promise<void>,
): Promise<void> {
  try {
    await body();
  } catch (e) {
    if (e instanceof ChainReadError && e.kind === "revert") log.fail(check, onRevert, e.message);
    else log.error(check, e instanceof Error ? e.message : String(e));
  }
}

/** Whether `signature` is `signer`'s signature of `digest`, by OpenZeppelin `SignatureChecker`'s rule. */
async function isSignedBy(
  provider: Provider,
  facts: VerifierCache["facts"] | undefined,
  signer: string,
  digest: string,
  signature: string,
): Promise<boolean> {
  // ECDSA first, then ERC-1271 when the signer has code: exactly what the contracts accept.
  const recovered = ecdsaSigner(digest, signature);
  if (recovered !== undefined && sameAddress(recovered, signer)) return true;
  const code = await memo(facts, `code:${signer.toLowerCase()}`, () => hasCode(provider, signer));
  return code ? readIsValidErc1271(provider, signer, digest, signature) : false;
}

/**
 * Verifies a receipt proof bundle against the chain, trusting nothing in it that the chain can say:
 * FORMAT, CHAIN, DIGEST, SIGNATURE, ROLE, INCLUSION, ANCHOR, FINALITY, ACK, in that order, each reported
 * with a stable code (see checks.ts). A check whose dependencies failed is reported `skip`. `input` is any
 * JSON value (the parsed file); this function never throws and never prints.
 */
export async function verifyReceiptBundle(input: unknown, options: VerifyOptions): Promise<VerifyResult> {
  await keccakReady();
  const { provider, cache } = options;
  const facts = cache?.facts;
  const needed = options.confirmations ?? 1;
  const log = new CheckLog();
  const bundle = checkFormat(log, input);
  if (bundle === undefined) {
    log.skipRest(CHECKS);
    return { ...verdict(log.checks), checks: log.checks };
  }
  const b: ReceiptBundle = bundle;
  const { anchor, registry } = b.contracts;

  // CHAIN: the RPC serves the bundle's chain, both contracts exist and belong together.
  await guarded(log, "CHAIN", "REGISTRY_MISMATCH", async () => {
    const chainId = await memo(facts, "chainId", () => readChainId(provider));
    if (chainId !== BigInt(b.chainId))
      return log.fail("CHAIN", "WRONG_CHAIN", `the RPC serves chain ${chainId}, the bundle is for chain ${b.chainId}`);
    const trusted = options.contracts;
    if (
      (trusted?.anchor && !sameAddress(trusted.anchor, anchor)) ||
      (trusted?.registry && !sameAddress(trusted.registry, registry))
    ) {
      return log.fail(
        "CHAIN",
        "UNTRUSTED_CONTRACTS",
        `the bundle names anchor ${anchor} and registry ${registry}, not the trusted deployment`,
      );
    }
    for (const a of [anchor, registry]) {
      if (!(await memo(facts, `code:${a.toLowerCase()}`, () => hasCode(provider, a)))) {
        return log.fail("CHAIN", "NO_CONTRACT_CODE", `no contract at ${a} on chain ${b.chainId}`);
      }
    }
    const linked = await memo(facts, `registry:${anchor.toLowerCase()}`, () => readAnchorRegistry(provider, anchor));
    if (!sameAddress(linked, registry))
      return log.fail("CHAIN", "REGISTRY_MISMATCH", `anchor ${anchor} uses registry ${linked}, not ${registry}`);
    log.pass("CHAIN");
  });

  const digest = checkDigest(log, b);

  // The reads that need only CHAIN start together, so a JSON-RPC provider sends them in one batch; their
  // results are still judged in check order below. Rejections are handled where each is awaited.
  const prefetch = <T>(read: () => Promise<T>): Promise<T> | undefined => {
    if (!log.passed("CHAIN")) return undefined;
    const p = read();
    p.catch(() => undefined);
    return p;
  };
  const r = b.receipt;
  const rolePending = prefetch(() =>
    readIsAuthorized(provider, registry, r.agreementId, r.attester, r.kind, r.occurredAt),
  );
  const anchorPending = prefetch(() =>
    memo(cache?.anchors, `${anchor.toLowerCase()}:${b.batch.root}`, () => readAnchorOf(provider, anchor, b.batch.root)),
  );
  const latestPending = prefetch(() => readBlockNumber(provider));

  if (log.ready("SIGNATURE")) {
    await guarded(log, "SIGNATURE", "BAD_SIGNATURE", async () => {
      if (await isSignedBy(provider, facts, b.receipt.attester, digest, b.signature)) log.pass("SIGNATURE");
      else
        log.fail(
          "SIGNATURE",
          "BAD_SIGNATURE",
          `not a signature of ${b.receipt.attester} (ECDSA or ERC-1271) over ${digest}`,
        );
    });
  }

  if (log.ready("ROLE")) {
    await guarded(log, "ROLE", "NOT_AUTHORIZED", async () => {
      if (await rolePending!) log.pass("ROLE");
      else
        log.fail(
          "ROLE",
          "NOT_AUTHORIZED",
          `${r.attester} may not sign kind ${r.kind} for agreement ${r.agreementId} at ${r.occurredAt}`,
        );
    });
  }

  if (log.ready("INCLUSION")) checkInclusion(log, b, digest);

  let anchored: AnchorRecord | undefined;
  if (log.ready("ANCHOR")) {
    await guarded(log, "ANCHOR", "NOT_ANCHORED", async () => {
      const a = await anchorPending!;
      if (a.timestamp === 0)
        return log.fail("ANCHOR", "NOT_ANCHORED", `root ${b.batch.root} is not anchored in ${anchor}`);
      anchored = a;
      const wrong = [
        a.stream !== b.batch.stream && `stream ${a.stream}`,
        a.seq !== b.batch.seq && `seq ${a.seq}`,
        a.count !== b.batch.count && `count ${a.count}`,
      ].filter(Boolean);
      if (wrong.length > 0)
        return log.fail("ANCHOR", "ANCHOR_MISMATCH", `the chain anchored this root with ${wrong.join(", ")}`);
      log.pass("ANCHOR", `anchored at ${a.timestamp} in block ${a.blockNumber}`);
    });
  }

  let info: AnchorInfo | undefined;
  if (log.ready("FINALITY") && anchored !== undefined) {
    const a = anchored;
    await guarded(log, "FINALITY", "NOT_FINAL", async () => {
      const confirmations = Math.max(0, (await latestPending!) - a.blockNumber + 1);
      info = { ...a, confirmations };
      if (confirmations >= needed) log.pass("FINALITY", `${confirmations} confirmations`);
      else log.fail("FINALITY", "NOT_FINAL", `${confirmations} confirmations, ${needed} required`);
    });
  }

  let breach: OperatorBreach | undefined;
  if (b.ack === undefined) {
    log.skip("ACK", "NO_ACK", "the bundle carries no ack");
  } else if (log.ready("ACK")) {
    const ack = b.ack;
    await guarded(log, "ACK", "BAD_ACK_SIGNATURE", async () => {
      const operator = await memo(facts, `operator:${anchor.toLowerCase()}:${b.batch.stream}`, () =>
        readOperatorOf(provider, anchor, b.batch.stream),
      );
      const ackHash = ackSigningDigest(receiptDomainSeparator(b.chainId, anchor), digest, ack);
      if (ackHash === undefined) {
        return log.fail("ACK", "ACK_NOT_INCLUDED", `the batch ack's proof does not lead from ${digest} to its root`);
      }
      if (!(await isSignedBy(provider, facts, operator, ackHash, ack.signature))) {
        return log.fail(
          "ACK",
          "BAD_ACK_SIGNATURE",
          `the ack is not signed by ${operator}, the operator of stream ${b.batch.stream}`,
        );
      }
      // The anchor time comes from the chain; without an anchor, the latest block says whether it is overdue.
      const notAnchored = log.checks.some((c) => c.check === "ANCHOR" && c.code === "NOT_ANCHORED");
      let at: number | null;
      let judged: number;
      if (anchored !== undefined && log.passed("ANCHOR")) {
        at = anchored.timestamp;
        judged = at;
      } else if (notAnchored) {
        at = null;
        judged = (await provider.getBlock("latest"))?.timestamp ?? 0;
      } else {
        return log.skip("ACK", "DEPENDENCY_FAILED", "needs ANCHOR to judge the anchoring deadline");
      }
      if (judged > ack.anchorBy) {
        breach = {
          code: "OPERATOR_BREACH_LATE_ANCHOR",
          operator,
          anchorBy: ack.anchorBy,
          anchoredAt: at,
          lateBySecs: judged - ack.anchorBy,
        };
        const what = at === null ? "still not anchored" : `anchored at ${at}`;
        return log.fail(
          "ACK",
          "OPERATOR_BREACH_LATE_ANCHOR",
          `${operator} promised to anchor by ${ack.anchorBy}; ${what}, ${judged - ack.anchorBy}s late`,
        );
      }
      log.pass(
        "ACK",
        at === null
          ? "valid ack; the anchoring deadline has not passed"
          : `anchored ${ack.anchorBy - at}s before the deadline`,
      );
    });
  }

  const result: VerifyResult = {
    ...verdict(log.checks),
    digest,
    checks: log.checks,
  };
  if (info !== undefined) result.anchor = info;
  if (breach !== undefined) result.breach = breach;
  return result;
}
