import { Router } from "express";
import { readableAgreement } from "../access/agreementScope";
import { authenticateParty } from "../access/auth";
import type { AppDeps } from "../deps";
import { ApiError } from "../errors";
import { parseUtcDay } from "../read/reconcile";
import { reconciliation } from "../read/reconciliation";
import { checkQueryOf } from "../openapi/requestCheck";
import { pageLimit } from "./query";

const DAY_S = 86_400;
/** Longest period one request may cover, in days. */
export const MAX_RECONCILIATION_DAYS = 366;
const DEFAULT_DAYS = 7;

/**
 * `GET /v1/reconciliation?agreementId=…&from=YYYY-MM-DD&to=YYYY-MM-DD` (UTC days, inclusive): a party of
 * the agreement or a regulator reads the day-by-day amounts and the collector's float (docs/api.md).
 * Paged by days: `?limit=` days per page (1–366, default all of them) and `?cursor=` (a `nextCursor`, the
 * first day of the next page).
 */
export function reconciliationRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get("/v1/reconciliation", async (req, res) => {
    const party = await authenticateParty(req, deps.access);
    const q = checkQueryOf("getReconciliation", req.query as Record<string, unknown>);
    const now = Math.floor(Date.now() / 1000);
    const day = (field: "from" | "to", fallback: number): number => {
      const raw = q[field];
      if (raw === undefined) return fallback;
      const t = parseUtcDay(raw);
      if (t === undefined) throw new ApiError("INVALID_BODY", `${field}: expected a UTC date YYYY-MM-DD`, { field });
      return t;
    };
    const to = day("to", now - (now % DAY_S));
    const from = day("from", to - (DEFAULT_DAYS - 1) * DAY_S);
    if (from > to) throw new ApiError("INVALID_BODY", "from: must not be after to", { field: "from" });
    if ((to - from) / DAY_S + 1 > MAX_RECONCILIATION_DAYS) {
      throw new ApiError("INVALID_BODY", `at most ${MAX_RECONCILIATION_DAYS} days per request`, { field: "to" });
    }
    const limit = pageLimit(q.limit, MAX_RECONCILIATION_DAYS, MAX_RECONCILIATION_DAYS);
    const start = q.cursor === undefined ? from : parseUtcDay(q.cursor);
    if (start === undefined || start < from || start > to)
      throw new ApiError("INVALID_BODY", "cursor: give a nextCursor of an earlier page", { field: "cursor" });
    const end = Math.min(to, start + (limit - 1) * DAY_S);
    const agreement = await readableAgreement(deps.reader, party, q.agreementId);
    res.json(await reconciliation(deps.reader, agreement, start, end, now, to));
  });
  return r;
}
