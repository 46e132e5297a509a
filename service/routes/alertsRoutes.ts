import { Router } from "express";
import { readableAgreement, readableAgreements } from "../access/agreementScope";
import { authenticateParty } from "../access/auth";
import type { AppDeps } from "../deps";
import { alerts } from "../read/alerts";
import { checkQuery } from "./query";

/**
 * `GET /v1/alerts[?agreementId=…]`: early warnings for the agreements the reader belongs to (regulators:
 * all): open breaches, collector float older than the forwarding allowance, and receipts past their Ack's
 * `anchorBy` without an anchor (docs/api.md, "Alerts"; computed in read/alerts.ts). Judged at the service's clock.
 */
export function alertsRoutes(deps: AppDeps): Router {
  const r = Router();
  const { reader, config } = deps;
  r.get("/v1/alerts", async (req, res) => {
    const party = await authenticateParty(req, deps.access);
    const q = checkQuery(req.query as Record<string, unknown>, ["agreementId"]);
    const scope =
      q.agreementId === undefined
        ? await readableAgreements(reader, party)
        : [await readableAgreement(reader, party, q.agreementId)];
    res.json(await alerts(reader, deps.queue, scope, Math.floor(Date.now() / 1000), config.maxAnchorDelayS));
  });
  return r;
}
