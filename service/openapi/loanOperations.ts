import type { ErrorCode } from "../errors";
import { ref } from "./formatSchemas";
import type { Op } from "./operations";

/** What every scoped read may answer besides the codes of every operation. */
export const READ = ["UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "INVALID_BODY", "CHAIN_UNAVAILABLE"] as ErrorCode[];

const loanRead = (what: string, operationId: string, summary: string, ok: Op["ok"]): Op => ({
  method: "get",
  path: `/v1/loans/{loanId}/${what}`,
  operationId,
  summary,
  tag: "reads",
  access: "reader",
  params: [
    { name: "loanId", in: "path", required: true, schema: ref("Bytes32") },
    {
      name: "agreementId",
      in: "query",
      schema: ref("Bytes32"),
      description: "which agreement, when the caller may read several",
    },
  ],
  ok,
  errors: READ,
});

/** A loan's reads (service/routes/timelineRoutes.ts): the timeline, and its completeness entries alone (v0.2). */
export const LOAN_READS: Op[] = [
  loanRead("timeline", "getTimeline", "Every receipt of a loan and its evaluation (repayproof/timeline@1)", {
    200: { description: "the timeline bundle", schema: "Timeline" },
  }),
  loanRead(
    "completeness",
    "getCompleteness",
    "Per stream that sealed receipts of the loan (every instance on a shared database): its state proof for that stream's latest sealed batch, its digests in anchoring order (v0.2)",
    {
      200: {
        description:
          "`completeness`: one entry per stream, ours first; empty before the loan's first receipt is sealed",
        schema: "Completeness",
      },
    },
  ),
];
