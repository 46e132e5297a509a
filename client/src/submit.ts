import type { Ack, ReceiptJson } from "@repayproof/verifier";
import { RepayProofError } from "./errors";
import { requestJson, type RetryPolicy } from "./http";
import type { SignedItem } from "./receipts";

/** Most items the service takes in one request. */
export const MAX_ITEMS = 1000;
/** Items per request unless told: small enough that 4 requests in flight keep the service busy. */
export const DEFAULT_ITEMS = 500;

export interface SubmitOptions {
  /** Return refused receipts as results (`ok: false`) instead of throwing SubmitError. */
  partial?: boolean;
  /** Items per request, 1 to 1000; default 500. */
  itemsPerRequest?: number;
  /** Requests in flight at once; default 4. */
  concurrency?: number;
  /** Called after each request's answer has been checked: results so far, and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** One receipt's outcome: accepted with its checked Ack, or refused with the service's error. */
export type SubmitResult =
  | { ok: true; digest: string; status: string; ack: Ack; receipt: ReceiptJson; signature: string }
  | { ok: false; digest: string; error: RepayProofError; receipt: ReceiptJson; signature: string };

/** Some receipts were refused: `code` is the first refusal's; `results` has every receipt's outcome. */
export class SubmitError extends RepayProofError {
  override readonly name = "SubmitError";
  constructor(
    first: RepayProofError,
    readonly results: SubmitResult[],
  ) {
    const refused = results.filter((r) => !r.ok).length;
    super(first.code, `${refused} of ${results.length} receipts refused, first: ${first.message}`, first.status, {
      refused,
    });
  }
}

interface Answer {
  digest?: string;
  status?: string;
  ack?: unknown;
  error?: { code: string; message?: string; details?: unknown };
}

/**
 * Posts `count` items in requests of `itemsPerRequest` (at most `concurrency` in flight), retried by
 * `requestJson`; `itemsAt(from, to)` gives (signs) each request's items just before it is sent, so signing
 * overlaps the requests in flight. `check` verifies each Ack (throws BAD_ACK). A request refused as a whole
 * (its envelope) throws.
 */
export async function submitItems(
  url: string,
  count: number,
  itemsAt: (from: number, to: number) => Promise<SignedItem[]>,
  check: (ack: unknown, digest: string) => Ack,
  retry: RetryPolicy,
  opts: SubmitOptions,
): Promise<SubmitResult[]> {
  const size = Math.max(1, Math.min(MAX_ITEMS, opts.itemsPerRequest ?? DEFAULT_ITEMS));
  const results: SubmitResult[] = new Array<SubmitResult>(count);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const from = next;
      next += size;
      const chunk = await itemsAt(from, Math.min(count, from + size));
      const body = { items: chunk.map((i) => ({ receipt: i.receipt, signature: i.signature })) };
      const answer = await requestJson<{ results?: Answer[] }>(
        url,
        { method: "POST", path: "/v1/receipts", body },
        retry,
      );
      const list = answer.results;
      if (!Array.isArray(list) || list.length !== chunk.length) {
        throw new RepayProofError(
          "BAD_RESPONSE",
          `POST /v1/receipts answered ${list?.length} results for ${chunk.length}`,
        );
      }
      chunk.forEach((item, k) => {
        const a = list[k] as Answer;
        const base = { digest: item.digest, receipt: item.receipt, signature: item.signature };
        if (a.error) {
          const err = new RepayProofError(a.error.code, a.error.message ?? "", 202, a.error.details);
          results[from + k] = { ok: false, error: err, ...base };
          return;
        }
        if (a.digest !== item.digest) {
          throw new RepayProofError("BAD_ACK", `the service acknowledged ${a.digest} for ${item.digest}`);
        }
        results[from + k] = { ok: true, status: String(a.status), ack: check(a.ack, item.digest), ...base };
      });
      done += chunk.length;
      opts.onProgress?.(done, count);
    }
  };
  const workers = Math.max(1, Math.min(opts.concurrency ?? 4, Math.ceil(count / size)));
  await Promise.all(Array.from({ length: workers }, worker));
  const refused = results.find((r) => !r.ok);
  if (refused && !refused.ok && !opts.partial) throw new SubmitError(refused.error, results);
  return results;
}
