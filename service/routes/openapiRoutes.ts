import { Router } from "express";
import { openApiDocument } from "../openapi/openApiDocument";

/**
 * `GET /v1/openapi.json`: the OpenAPI 3.1 document of this API (service/openapi/). Public and the same for
 * every caller and every deployment (nothing from the configuration is in it), so caches may keep it.
 */
export function openapiRoutes(): Router {
  const r = Router();
  const body = JSON.stringify(openApiDocument());
  r.get("/v1/openapi.json", (_req, res) => {
    res.status(200).set({ "content-type": "application/json; charset=utf-8", "cache-control": "public, max-age=300" });
    res.send(body);
  });
  return r;
}
