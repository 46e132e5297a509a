import { Router } from "express";
import { readableAgreement, readableAgreements } from "../access/agreementScope";
import { authenticateParty } from "../access/auth";
import type { AppDeps } from "../deps";
import { alerts, DEFAULT_ALERTS_LIMIT, MAX_ALERTS_LIMIT } from "../read/alerts";
import { checkQueryOf } from "../openapi/requestCheck";
import { pageLimit } from "./query";
import { ApiError } from "../errors";

const CURSOR = /^(0x[0-9a-f]{64})\.(0x[0-9a-f]{64})$/;

/**
 * `GET /v1/alerts[?agreementId=…]`: early warnings for the agreements the reader belongs to (regulators:
 * all): open breaches, collector float older than the forwarding allowance, and receipts past their Ack's
 * `anchorBy` without an anchor (docs/api.md, "Alerts"; computed in read/alerts.ts). Judged at the service's clock.
 * Paged: `?limit=` (1–1000, default 100) and `?cursor=` (a previous answer's `nextCursor`).
 */
export function alertsRoutes(deps: AppDeps): Router {
  const r = Router();
  const { reader, config } = deps;
  r.get("/v1/alerts", async (req, res) => {
    const party = await authenticateParty(req, deps.access);
    const q = checkQueryOf("getAlerts", req.query as Record<string, unknown>);
    const limit = pageLimit(q.limit, DEFAULT_ALERTS_LIMIT, MAX_ALERTS_LIMIT);
    const m = q.cursor === undefined ? undefined : CURSOR.exec(q.cursor);
    if (m === null)
      throw new ApiError("INVALID_BODY", "cursor: give a nextCursor of an earlier page", { field: "cursor" });
    const cursor = m ? { agreementId: m[1] as string, loanId: m[2] as string } : undefined;
    const scope =
      q.agreementId === undefined
        ? await readableAgreements(reader, party)
        : [await readableAgreement(reader, party, q.agreementId)];
    const now = Math.floor(Date.now() / 1000);
    const page = cursor ? { cursor, limit } : { limit };
    res.json(await alerts(reader, deps.queue, scope, now, config.maxAnchorDelayS, page));
  });
  return r;
}
