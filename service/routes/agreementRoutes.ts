import express, { Router } from "express";
import { isAddress, isBytes32, type Terms } from "../../verifier";
import { assertCanRead, authenticate } from "../auth";
import type { AppDeps } from "../deps";
import { ApiError, type ErrorCode } from "../errors";

const HEX = /^0x([0-9a-fA-F]{2})*$/;
const UINT32_FIELDS = ["graceSecs", "settleSecs", "forwardSecs", "confirmSecs", "reportSecs"] as const;
const TERMS_FIELDS = ["platform", "funder", "collector", "guarantor", "channels", ...UINT32_FIELDS, "disclosureHash"];
const RELAY_TIMEOUT_MS = 60_000;

/** The registry's custom errors → our codes; anything else it refuses is INVALID_BODY. */
const REVERT_CODES: Record<string, ErrorCode> = {
  AgreementRegistryInvalidSignature: "BAD_SIGNATURE",
  AgreementRegistryAgreementExists: "AGREEMENT_EXISTS",
  AgreementRegistryUnknownAgreement: "UNKNOWN_AGREEMENT",
};

interface AgreementBody {
  agreementId: string;
  version: number;
  terms: Terms;
  signatures: { platform: string; funder: string; collector: string; guarantor: string };
}

function bad(message: string, field?: string): never {
  throw new ApiError("INVALID_BODY", message, field ? { field } : undefined);
}

/** Validates a `POST /v1/agreements` body at the edge. */
export function parseAgreementBody(body: unknown): AgreementBody {
  if (typeof body !== "object" || body === null || Array.isArray(body)) bad("expected a JSON object");
  const o = body as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!["agreementId", "version", "terms", "signatures"].includes(k)) bad(`unknown field \`${k}\``, k);
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
    terms: t as unknown as Terms,
    signatures: {
      platform: sig("platform", true),
      funder: sig("funder", true),
      collector: sig("collector", false),
      guarantor: sig("guarantor", false),
    },
  };
}

/** `POST /v1/agreements` (relay to the registry) and `GET /v1/agreements/:id` (scoped read). */
export function agreementRoutes(deps: AppDeps): Router {
  const r = Router();
  r.post("/v1/agreements", express.json({ limit: "2mb" }), async (req, res) => {
    const a = parseAgreementBody(req.body);
    const { registry, provider } = deps.chain;
    const terms = [
      a.terms.platform,
      a.terms.funder,
      a.terms.collector,
      a.terms.guarantor,
      a.terms.channels,
      a.terms.graceSecs,
      a.terms.settleSecs,
      a.terms.forwardSecs,
      a.terms.confirmSecs,
      a.terms.reportSecs,
      a.terms.disclosureHash,
    ];
    const sigs = [a.signatures.platform, a.signatures.funder, a.signatures.collector, a.signatures.guarantor];
    const args = a.version === 1 ? [a.agreementId, terms, sigs] : [a.agreementId, a.version, terms, sigs];
    const fn = registry.getFunction(a.version === 1 ? "register" : "amend");
    // Static call first: a refused agreement costs no gas and changes nothing.
    try {
      await fn.staticCall(...args, { from: deps.chain.wallet.address });
    } catch (e) {
      throw revertToApiError(e, deps);
    }
    let hash: string;
    try {
      const data = registry.interface.encodeFunctionData(fn.fragment, args);
      const sent = await deps.sender.send({ to: await registry.getAddress(), data }, async () => undefined);
      hash = sent.hash;
      const receipt = await provider.waitForTransaction(hash, 1, RELAY_TIMEOUT_MS);
      if (!receipt || receipt.status !== 1) throw new Error(`transaction ${hash} failed`);
    } catch (e) {
      throw revertToApiError(e, deps);
    }
    await deps.terms.refresh(a.agreementId).catch(() => undefined);
    res.status(201).json({ agreementId: a.agreementId, version: a.version, txHash: hash });
  });

  r.get("/v1/agreements/:id", async (req, res) => {
    const party = authenticate(req, deps.identity.domainSeparator);
    const id = String(req.params.id).toLowerCase();
    if (!isBytes32(id)) throw new ApiError("INVALID_BODY", "id: expected 0x followed by 64 hex digits");
    const versions = await deps.terms.get(id);
    if (!versions) throw new ApiError("NOT_FOUND", "the registry has no such agreement");
    assertCanRead(party, deps.config.regulators, versions);
    res.json({ agreementId: id, versions });
  });
  return r;
}

function revertToApiError(e: unknown, deps: AppDeps): ApiError {
  if (e instanceof ApiError) return e;
  const revert = (e as { revert?: { name?: string; args?: unknown[] } }).revert;
  if (revert?.name) {
    const code = REVERT_CODES[revert.name] ?? "INVALID_BODY";
    return new ApiError(code, `the registry refused the agreement: ${revert.name}`, { revert: revert.name });
  }
  if ((e as { code?: string }).code === "CALL_EXCEPTION") {
    return new ApiError("INVALID_BODY", "the registry refused the agreement");
  }
  deps.metrics.rpcErrors.inc();
  deps.log.warn({ err: (e as Error).message }, "agreement relay failed");
  return new ApiError("CHAIN_UNAVAILABLE", "the chain cannot be reached now; retry later");
}
