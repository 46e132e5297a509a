import type { TimelineVerifyResult, VerifyResult } from "@repayproof/verifier";

/**
 * Codes the client adds to the service's (docs/api.md, Errors): `NETWORK` (no answer after every retry),
 * `BAD_RESPONSE` (an answer that is not the documented JSON), `BAD_ACK` (an Ack that does not verify: the
 * operator's promise cannot be relied on), `VERIFICATION_FAILED` (a proof or timeline the verifier refused),
 * `INVALID_RECEIPT` (refused locally, before anything is sent).
 */
export type ClientErrorCode = "NETWORK" | "BAD_RESPONSE" | "BAD_ACK" | "VERIFICATION_FAILED" | "INVALID_RECEIPT";

/** A refusal: the service's `{ error: { code, message, details } }` with its HTTP status, or one of the client's. */
export class RepayProofError extends Error {
  override readonly name: string = "RepayProofError";
  /** The service's `code` (`NONCE_CONFLICT`, `UNAUTHENTICATED`, …) or a {@link ClientErrorCode}. */
  readonly code: string;
  /** HTTP status of the answer; 0 when there was none. */
  readonly status: number;
  readonly details: unknown;

  constructor(code: string, message: string, status = 0, details?: unknown) {
    super(`${code}: ${message}`);
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

/** A proof bundle or timeline the verifier package refused; `result` says which check failed and why. */
export class VerificationError extends RepayProofError {
  override readonly name = "VerificationError";
  readonly result: VerifyResult | TimelineVerifyResult;

  constructor(what: string, result: VerifyResult | TimelineVerifyResult) {
    const bad = result.checks.filter((c) => c.status === "fail" || c.status === "error");
    const why = bad.map((c) => `${c.check} ${c.code ?? ""} ${c.message ?? ""}`.trim()).join("; ");
    super("VERIFICATION_FAILED", `${what} does not verify: ${why || "see result"}`, 0, { checks: bad });
    this.result = result;
  }
}

/** Whether `e` is a {@link RepayProofError} with `code` (any code when omitted). */
export function isRepayProofError(e: unknown, code?: string): e is RepayProofError {
  return e instanceof RepayProofError && (code === undefined || e.code === code);
}
