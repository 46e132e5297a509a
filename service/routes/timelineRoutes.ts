import { Router, type Request } from "express";
import { isBytes32 } from "@repayproof/verifier";
import { authenticateCaller } from "../access/auth";
import type { AppDeps } from "../deps";
import { ApiError } from "../errors";
import { completenessOf } from "../read/completeness";
import { StreamReaders } from "../read/StreamReaders";
import { buildTimeline, loanOf } from "../read/timeline";

/** The loan id of the path and the optional `?agreementId=`, checked. */
function loanParams(req: Request): { loanId: string; agreementId: string | undefined } {
  const loanId = String(req.params.loanId ?? "").toLowerCase();
  if (!isBytes32(loanId)) throw new ApiError("INVALID_BODY", "loanId: expected 0x followed by 64 hex digits");
  const q = req.query.agreementId;
  if (q !== undefined && !isBytes32(q)) {
    throw new ApiError("INVALID_BODY", "agreementId: expected 0x followed by 64 hex digits", {
      field: "agreementId",
    });
  }
  return { loanId, agreementId: q === undefined ? undefined : q.toLowerCase() };
}

/**
 * `GET /v1/loans/:loanId/timeline[?agreementId=0x…]` → the `repayproof/timeline@1` bundle (read/timeline.ts);
 * `GET /v1/loans/:loanId/completeness[?agreementId=0x…]` → its completeness entries alone (read/completeness.ts).
 * Scoped like every read: 401 UNAUTHENTICATED, 403 FORBIDDEN, 404 NOT_FOUND for a loan with no receipts here.
 */
export function timelineRoutes(deps: AppDeps): Router {
  const r = Router();
  // Several instances on one database: the loan's receipts are read from whichever stream sealed them.
  const streams = new StreamReaders(deps.reader);
  r.get("/v1/loans/:loanId/timeline", async (req, res) => {
    const caller = await authenticateCaller(req, deps.access);
    const { loanId, agreementId } = loanParams(req);
    res.json(await buildTimeline(streams, caller, loanId, agreementId));
  });
  r.get("/v1/loans/:loanId/completeness", async (req, res) => {
    const caller = await authenticateCaller(req, deps.access);
    const { loanId, agreementId } = loanParams(req);
    const { agreement, digests } = await loanOf(deps.reader, caller, loanId, agreementId);
    const completeness = await completenessOf(streams, agreement.id, loanId, digests);
    res.json({ loanId, agreementId: agreement.id, completeness });
  });
  return r;
}
