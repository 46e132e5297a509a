import express, { type Express } from "express";
import type { AppDeps } from "./deps";
import { errorHandler, notFoundHandler } from "./errors";
import { redactor, secretsOf } from "./secrets";
import { inFlightLimit, rateLimit } from "./access/rateLimit";
import { agreementRoutes } from "./routes/agreementRoutes";
import { alertsRoutes } from "./routes/alertsRoutes";
import { batchRoutes } from "./routes/batchRoutes";
import { eventsRoutes } from "./routes/eventsRoutes";
import { infoRoutes } from "./routes/infoRoutes";
import { openapiRoutes } from "./routes/openapiRoutes";
import { receiptRoutes } from "./routes/receiptRoutes";
import { timelineRoutes } from "./routes/timelineRoutes";
import { reconciliationRoutes } from "./routes/reconciliationRoutes";
import { shareRoutes } from "./routes/shareRoutes";
import { statsRoutes } from "./routes/statsRoutes";
import { webRoutes } from "./routes/webRoutes";

/**
 * Builds the HTTP app (never listens: server.ts does). Routes parse their own bodies (receipts as raw bytes
 * for the worker pool, agreements as JSON, both limited to 2 MiB); one error middleware sits last, after a
 * JSON 404.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("trust proxy", deps.config.trustProxy);
  app.use(inFlightLimit(deps.config.maxInFlight, (req) => req.path === "/v1/events"));
  // Several instances behind one balancer: each allows its share of RATE_LIMIT_RPS (docs/operations.md).
  const share = deps.instances;
  app.use(rateLimit(share ? () => deps.config.rateLimitRps / share.count() : deps.config.rateLimitRps, deps.access));
  app.use(infoRoutes(deps));
  app.use(openapiRoutes());
  app.use(receiptRoutes(deps));
  app.use(batchRoutes(deps));
  app.use(agreementRoutes(deps));
  app.use(timelineRoutes(deps));
  app.use(reconciliationRoutes(deps));
  app.use(alertsRoutes(deps));
  app.use(statsRoutes(deps));
  app.use(eventsRoutes(deps));
  app.use(shareRoutes(deps));
  app.use(webRoutes());
  app.use(notFoundHandler);
  app.use(errorHandler(deps.log, redactor(secretsOf(deps.config))));
  return app;
}
