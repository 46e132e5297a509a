import express, { Router } from "express";
import { agreementIdOf, isAddress, isBytes32, type Terms } from "@repayproof/verifier";
import { assertCanRead, authenticateParty } from "../access/auth";
import type { AppDeps } from "../deps";
import type { AgreementRequest } from "../chain/agreementCall";
import { ApiError, isApiError } from "../errors";

const HEX = /^0x([0-9a-fA-F]{2})*$/;
const UINT32_FIELDS = ["graceSecs", "settleSecs", "forwardSecs", "confirmSecs", "reportSecs"] as const;
const TERMS_FIELDS = ["platform", "funder", "collector", "guarantor", "channels", ...UINT32_FIELDS, "disclosureHash"];

function bad(message: string, field?: string): never {
  throw new ApiError("INVALID_BODY", message, field ? { field } : undefined);
}

/**
 * Validates a `POST /v1/agreements` body at the edge. Version 1 carries `salt` and its `agreementId` must be
 * `agreementIdOf(platform, funder, salt)` (the registry's rule, checked here before any RPC or gas); an
 * amendment's `salt` is ignored.
 */
export function parseAgreementRequest(body: unknown): AgreementRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) bad("expected a JSON object");
  const o = body as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!["agreementId", "version", "salt", "terms", "signatures"].includes(k)) bad(`unknown field \`${k}\``, k);
  if (!isBytes32(o.agreementId)) bad("agreementId: expected 0x followed by 64 hex digits", "agreementId");
  const version = o.version;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1 || version > 0xffffffff) {
    bad("version: expected an integer ≥ 1", "version");
  }
  const t = o.terms as Record<string, unknown> | undefined;
  if (typeof t !== "object" || t === null || Array.isArray(t)) bad("terms: expected an object", "terms");
  for (const k of Object.keys(t)) if (!TERMS_FIELDS.includes(k)) bad(`terms: unknown field \`${k}\``, `terms.${k}`);
  for (const k of ["platform", "funder", "collector", "guarantor"]) {
    if (!isAddress(t[k])) bad(`terms.${k}: expected an address`, `terms.${k}`);
  }
  if (!Array.isArray(t.channels) || t.channels.length > 256 || !t.channels.every(isAddress)) {
    bad("terms.channels: expected an array of addresses", "terms.channels");
  }
  for (const k of UINT32_FIELDS) {
    const v = t[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffffffff)
      bad(`terms.${k}: expected a uint32`, `terms.${k}`);
  }
  if (!isBytes32(t.disclosureHash)) bad("terms.disclosureHash: expected bytes32", "terms.disclosureHash");
  let salt = "";
  if (version === 1) {
    if (!isBytes32(o.salt)) bad("salt: expected 0x followed by 64 hex digits (required for version 1)", "salt");
    salt = o.salt.toLowerCase();
    const bound = agreementIdOf(t.platform as string, t.funder as string, salt);
    if (bound !== (o.agreementId as string).toLowerCase()) {
      bad("agreementId: expected keccak256(abi.encode(platform, funder, salt)) for version 1", "agreementId");
    }
  }
  const s = o.signatures as Record<string, unknown> | undefined;
  if (typeof s !== "object" || s === null || Array.isArray(s)) bad("signatures: expected an object", "signatures");
  for (const k of Object.keys(s))
    if (!["platform", "funder", "collector", "guarantor"].includes(k)) bad(`signatures: unknown field \`${k}\``);
  const sig = (k: string, required: boolean): string => {
    const v = s[k];
    if (v === undefined && !required) return "0x";
    if (typeof v !== "string" || !HEX.test(v) || v.length > 2 + 2 * 4096)
      bad(`signatures.${k}: expected 0x-hex bytes`, `signatures.${k}`);
    return v;
  };
  return {
    agreementId: (o.agreementId as string).toLowerCase(),
    version,
    salt,
    terms: t as unknown as Terms,
    signatures: {
      platform: sig("platform", true),
      funder: sig("funder", true),
      collector: sig("collector", false),
      guarantor: sig("guarantor", false),
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
