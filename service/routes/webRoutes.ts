import fs from "node:fs";
import path from "node:path";
import { Router, type RequestHandler } from "express";
import { projectRoot } from "../config";
import { ApiError } from "../errors";

/** The built web app: one self-contained page (scripts/buildWeb.js). */
export const WEB_PAGE = path.join(projectRoot(), "web", "dist", "repayproof.html");

/**
 * `GET /` (and `/loan/:loanId`, the page a share link opens, and `/stats`, the supervision figures): the web app, which verifies in the browser
 * against the chain (it reads `/v1/info` only for defaults it shows: RPC URL and pinned contracts). Read
 * once; no referrer leaves the page, so a share link in its URL is not sent to anyone it talks to.
 */
export function webRoutes(page = WEB_PAGE): Router {
  const r = Router();
  let html: Buffer | undefined;
  const send: RequestHandler = (_req, res) => {
    html ??= fs.existsSync(page) ? fs.readFileSync(page) : undefined;
    if (!html) throw new ApiError("NOT_FOUND", "the web app is not built: run npm run build");
    res
      .status(200)
      .set({
        "content-type": "text/html; charset=utf-8",
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "x-frame-options": "DENY",
        "cache-control": "no-cache",
      })
      .send(html);
  };
  r.get("/", send);
  r.get("/loan/:loanId", send);
  r.get("/stats", send);
  return r;
}
