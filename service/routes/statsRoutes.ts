import { Router, type Request } from "express";
import { readableAgreement } from "../access/agreementScope";
import { authenticateParty } from "../access/auth";
import type { AppDeps } from "../deps";
import { ApiError } from "../errors";
import { figuresCsv, loansCsv } from "../stats/statsCsv";
import { statsFigures, type StatsWindow } from "../stats/statsFigures";
import { statsAsOf } from "../stats/StatsIndexer";
import { statsLoans } from "../stats/statsLoans";
import { parseStatsQuery, type ParsedStatsQuery } from "../stats/statsQuery";
import { checkQueryOf } from "../openapi/requestCheck";

/**
 * `GET /v1/stats?agreementId=…&from=…&to=…` (supervision figures per stage and responsible party) and
 * `GET /v1/stats/loans?…&figure=…[&stage=…&responsible=…&cursor=…&limit=…]` (the loans behind a figure), JSON
 * or CSV (`?format=csv` or `Accept: text/csv`); both from the stats index (service/stats/), judged at the
 * block time of the last batch the index has taken in (statsAsOf). A party's `Bearer` token (its own agreements; regulators: any); a share: 403.
 */
export function statsRoutes(deps: AppDeps): Router {
  const r = Router();
  const { reader } = deps;
  const scope = async (req: Request, operationId: string): Promise<{ q: ParsedStatsQuery; w: StatsWindow }> => {
    if (!deps.config.statsIndex)
      throw new ApiError("STATS_DISABLED", "this service keeps no stats index (STATS_INDEX=0)");
    const party = await authenticateParty(req, deps.access);
    const raw = checkQueryOf(operationId, req.query as Record<string, unknown>);
    const q = parseStatsQuery(raw, req.get("accept"));
    const { agreementId } = await readableAgreement(reader, party, raw.agreementId);
    const now = await statsAsOf(reader.store);
    return { q, w: { agreementId, from: q.from, to: q.to, now } };
  };

  r.get("/v1/stats", async (req, res) => {
    const { q, w } = await scope(req, "getStats");
    const figures = await statsFigures(reader.store, w);
    if (!q.csv) return void res.json(figures);
    res
      .type("text/csv")
      .attachment(`repayproof-stats-${w.agreementId.slice(0, 10)}.csv`)
      .send(figuresCsv(figures));
  });

  r.get("/v1/stats/loans", async (req, res) => {
    const { q, w } = await scope(req, "getStatsLoans");
    const page = await statsLoans(reader.store, {
      ...w,
      figure: q.figure ?? "judged",
      limit: q.limit,
      ...(q.stage === undefined ? {} : { stage: q.stage }),
      ...(q.responsible === undefined ? {} : { responsible: q.responsible }),
      ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
    });
    if (!q.csv) return void res.json({ agreementId: w.agreementId, asOf: w.now, ...page });
    if (page.nextCursor !== null) res.set("x-next-cursor", page.nextCursor);
    res
      .type("text/csv")
      .attachment(`repayproof-loans-${w.agreementId.slice(0, 10)}.csv`)
      .send(loansCsv(page.loans));
  });
  return r;
}
