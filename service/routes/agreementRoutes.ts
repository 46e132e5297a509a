import express, { Router } from "express";
import { agreementIdOf, isBytes32, type Terms } from "@repayproof/verifier";
import { assertCanRead, authenticateParty } from "../access/auth";
import type { AppDeps } from "../deps";
import type { AgreementRequest } from "../chain/agreementCall";
import { ApiError, isApiError } from "../errors";
import { checkBodyOf } from "../openapi/requestCheck";

interface AgreementBody {
  agreementId: string;
  version: number;
  salt?: string;
  terms: Terms;
  signatures: { platform: string; funder: string; collector?: string; guarantor?: string };
}

/**
 * Validates a `POST /v1/agreements` body at the edge: its shape against the OpenAPI document
 * (`AgreementRequest`), then what a schema cannot say: version 1's `agreementId` must be
 * `agreementIdOf(platform, funder, salt)` (the registry's rule, checked here before any RPC or gas); an
 * amendment's `salt` is ignored. 400 INVALID_BODY with `details.field` otherwise.
 */
export function parseAgreementRequest(body: unknown): AgreementRequest {
  const o = checkBodyOf<AgreementBody>("AgreementRequest", body);
  const t = o.terms;
  let salt = "";
  if (o.version === 1) {
    salt = (o.salt as string).toLowerCase();
    if (agreementIdOf(t.platform, t.funder, salt) !== o.agreementId.toLowerCase()) {
      throw new ApiError(
        "INVALID_BODY",
        "agreementId: expected keccak256(abi.encode(platform, funder, salt)) for version 1",
        { field: "agreementId" },
      );
    }
  }
  const s = o.signatures;
  return {
    agreementId: o.agreementId.toLowerCase(),
    version: o.version,
    salt,
    terms: t,
    signatures: {
      platform: s.platform,
      funder: s.funder,
      collector: s.collector ?? "0x",
      guarantor: s.guarantor ?? "0x",
    },
  };
}

/** Seconds a client waits after a 429 or 503 without a better estimate. */
const DEFAULT_RETRY_AFTER_S = 30;

/**
 * `POST /v1/agreements` (relay to the registry, for the agreement's platform or funder: `Bearer` token of one of
 * them, quota, gas cap; 501 RELAY_DISABLED without a relay key) and `GET /v1/agreements/:id` (scoped read).
 */
export function agreementRoutes(deps: AppDeps): Router {
  const r = Router();
  r.post("/v1/agreements", express.json({ limit: "2mb" }), async (req, res) => {
    try {
      deps.relay.assertEnabled();
      const party = await authenticateParty(req, deps.access);
      const a = parseAgreementRequest(req.body);
      const { txHash } = await deps.relay.relay(a, party);
      res.status(201).json({ agreementId: a.agreementId, version: a.version, txHash });
    } catch (e) {
      if (isApiError(e) && (e.status === 429 || e.status === 503)) {
        const d = e.details as { retryAfterS?: unknown } | undefined;
        res.set("Retry-After", String(typeof d?.retryAfterS === "number" ? d.retryAfterS : DEFAULT_RETRY_AFTER_S));
      }
      throw e;
    }
  });

  r.get("/v1/agreements/:id", async (req, res) => {
    const party = await authenticateParty(req, deps.access);
    const id = String(req.params.id).toLowerCase();
    if (!isBytes32(id)) throw new ApiError("INVALID_BODY", "id: expected 0x followed by 64 hex digits");
    const versions = await deps.terms.get(id);
    if (!versions) throw new ApiError("NOT_FOUND", "the registry has no such agreement");
    assertCanRead(party, deps.config.regulators, versions);
    res.json({ agreementId: id, versions });
  });
  return r;
}
