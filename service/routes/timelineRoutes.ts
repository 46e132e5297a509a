import { Router } from "express";
import { isBytes32 } from "@repayproof/verifier";
import { authenticateCaller } from "../access/auth";
import type { AppDeps } from "../deps";
import { ApiError } from "../errors";
import { buildTimeline } from "../read/timeline";

/**
 * `GET /v1/loans/:loanId/timeline[?agreementId=0x…]` → the `repayproof/timeline@1` bundle (service/timeline.ts).
 * Scoped like every read: 401 UNAUTHENTICATED, 403 FORBIDDEN, 404 NOT_FOUND for a loan with no receipts here.
 */
export function timelineRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get("/v1/loans/:loanId/timeline", async (req, res) => {
    const caller = await authenticateCaller(req, deps.access);
    const loanId = String(req.params.loanId ?? "").toLowerCase();
    if (!isBytes32(loanId)) throw new ApiError("INVALID_BODY", "loanId: expected 0x followed by 64 hex digits");
    const q = req.query.agreementId;
    if (q !== undefined && !isBytes32(q)) {
      throw new ApiError("INVALID_BODY", "agreementId: expected 0x followed by 64 hex digits", {
        field: "agreementId",
      });
    }
    res.json(await buildTimeline(deps.reader, caller, loanId, q === undefined ? undefined : q.toLowerCase()));
  });
  return r;
}
