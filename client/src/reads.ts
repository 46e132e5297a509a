import {
  verifyReceiptBundle,
  verifyTimelineBundle,
  type ReceiptBundleJson,
  type TimelineVerifyResult,
  type VerifyOptions,
  type VerifyResult,
} from "@repayproof/verifier";
import { RepayProofError, VerificationError } from "./errors";
import { requestJson, type RetryPolicy } from "./http";

/** Where to read and how to verify. */
export interface ReadOptions {
  url: string;
  auth: string;
  retry: RetryPolicy;
  verify: VerifyOptions;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `GET /v1/receipts/:digest/proof`, waiting up to `waitMs` for the anchor; verified, else VerificationError. */
export async function fetchProof(
  o: ReadOptions,
  digest: string,
  waitMs: number,
): Promise<{ bundle: ReceiptBundleJson; result: VerifyResult }> {
  const until = Date.now() + waitMs;
  let bundle: ReceiptBundleJson;
  for (;;) {
    try {
      bundle = await requestJson<ReceiptBundleJson>(
        o.url,
        { method: "GET", path: `/v1/receipts/${encodeURIComponent(digest)}/proof`, auth: o.auth },
        o.retry,
      );
      break;
    } catch (e) {
      if (!(e instanceof RepayProofError && e.code === "NOT_ANCHORED_YET" && Date.now() < until)) throw e;
      await sleep(Math.min(500, Math.max(0, until - Date.now())));
    }
  }
  const result = await verifyReceiptBundle(bundle, o.verify);
  if (!result.valid) throw new VerificationError(`the proof of ${digest}`, result);
  if (result.digest?.toLowerCase() !== digest.toLowerCase()) {
    throw new RepayProofError("VERIFICATION_FAILED", `asked for ${digest}, the service sent ${result.digest}`);
  }
  return { bundle, result };
}

/** `GET /v1/loans/:loanId/timeline[?agreementId=]`, verified with `verifyTimelineBundle`, else VerificationError. */
export async function fetchTimeline(
  o: ReadOptions,
  loanId: string,
  agreementId: string | undefined,
): Promise<{ timeline: Record<string, unknown>; result: TimelineVerifyResult }> {
  const query = agreementId ? `?agreementId=${encodeURIComponent(agreementId)}` : "";
  const timeline = await requestJson<Record<string, unknown>>(
    o.url,
    { method: "GET", path: `/v1/loans/${encodeURIComponent(loanId)}/timeline${query}`, auth: o.auth },
    o.retry,
  );
  const result = await verifyTimelineBundle(timeline, o.verify);
  if (!result.valid) throw new VerificationError(`the timeline of ${loanId}`, result);
  if (String(timeline.loanId).toLowerCase() !== loanId.toLowerCase()) {
    throw new RepayProofError("VERIFICATION_FAILED", `asked for loan ${loanId}, the service sent ${timeline.loanId}`);
  }
  return { timeline, result };
}
