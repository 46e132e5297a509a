import type { Ack, ReceiptJson } from "@repayproof/verifier";
import { RepayProofError } from "./errors";
import { requestJson, type RetryPolicy } from "./http";
import type { SignedItem } from "./receipts";

/** Most items the service takes in one request. */
export const MAX_ITEMS = 1000;

export interface SubmitOptions {
  /** Return refused receipts as results (`ok: false`) instead of throwing SubmitError. */
  partial?: boolean;
  /** Items per request, 1 to 1000; default 1000. */
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
 * Posts `items` in requests of `itemsPerRequest` (at most `concurrency` in flight), retried by
 * `requestJson`; `check` verifies each Ack (throws BAD_ACK). A whole request refused (its envelope) throws.
 */
export async function submitItems(
  url: string,
  items: readonly SignedItem[],
  check: (ack: unknown, digest: string) => Ack,
  retry: RetryPolicy,
  opts: SubmitOptions,
): Promise<SubmitResult[]> {
  const size = Math.max(1, Math.min(MAX_ITEMS, opts.itemsPerRequest ?? MAX_ITEMS));
  const results: SubmitResult[] = new Array<SubmitResult>(items.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const from = next;
      next += size;
      const chunk = items.slice(from, from + size);
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
      opts.onProgress?.(done, items.length);
    }
  };
  const workers = Math.max(1, Math.min(opts.concurrency ?? 4, Math.ceil(items.length / size)));
  await Promise.all(Array.from({ length: workers }, worker));
  const refused = results.find((r) => !r.ok);
  if (refused && !refused.ok && !opts.partial) throw new SubmitError(refused.error, results);
  return results;
}
