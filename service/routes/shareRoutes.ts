import express, { Router } from "express";
import { formatShare } from "@repayproof/verifier";
import { authenticateParty, verifyShare } from "../access/auth";
import type { AppDeps } from "../deps";
import { ApiError } from "../errors";
import { checkBodyOf } from "../openapi/requestCheck";

/** A `{ share }` body: the share string and nothing else (`ShareRequest` in the OpenAPI document; 400 INVALID_BODY otherwise). */
function shareOf(body: unknown): string {
  return checkBodyOf<{ share: string }>("ShareRequest", body).share;
}

/**
 * `POST /v1/shares` — a signed-in party hands the service a share grant it signed and gets back the link
 * that opens the loan's page (the share checked as a reader would present it); `POST /v1/shares/revoke` —
 * the share's own signer, with its token, revokes it: from then on the link is refused (401, reason
 * `revoked`), across restarts. Another party's token: 403 FORBIDDEN. Nothing is stored on refusal.
 */
export function shareRoutes(deps: AppDeps): Router {
  const r = Router();
  const json = express.json({ limit: "8kb" });

  r.post("/v1/shares", json, async (req, res) => {
    const party = await authenticateParty(req, deps.access);
    const { share, digest } = await verifyShare(shareOf(req.body), deps.access);
    if (share.signer.toLowerCase() !== party)
      throw new ApiError("FORBIDDEN", "a party hands out only the shares it signed");
    if ((await deps.store.shareRevokedAt(digest)) !== undefined)
      throw new ApiError("FORBIDDEN", "this share was revoked");
    const base = `${req.protocol}://${req.get("host") ?? "localhost"}`;
    const text = formatShare(share);
    res.status(201).json({ digest, share: text, link: `${base}/loan/${share.loanId}?share=${text}`, ...share });
  });

  r.post("/v1/shares/revoke", json, async (req, res) => {
    const party = await authenticateParty(req, deps.access);
    const { share, digest } = await verifyShare(shareOf(req.body), deps.access);
    if (share.signer.toLowerCase() !== party) throw new ApiError("FORBIDDEN", "only the share's signer may revoke it");
    let at = await deps.store.shareRevokedAt(digest);
    if (at === undefined) {
      at = Math.floor(Date.now() / 1000);
      await deps.store.write([{ type: "shareRevoked", digest, at }]);
    }
    res.json({ digest, revokedAt: at });
  });
  return r;
}
