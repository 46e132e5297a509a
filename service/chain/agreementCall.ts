import type { Terms } from "@repayproof/verifier";
import { REGISTRY_ABI } from "./abi";

/** A `POST /v1/agreements` body, validated at the edge (routes/agreementRoutes.ts). */
export interface AgreementRequest {
  agreementId: string;
  version: number;
  /** Version 1 only: the salt binding `agreementId` to platform and funder (`agreementIdOf`); "" for amendments. */
  salt: string;
  terms: Terms;
  signatures: { platform: string; funder: string; collector: string; guarantor: string };
}

/**
 * The registry call that records `a`: `register` for version 1, `amend` for a later one. The relay sends it
 * with its own key; `npm run register` sends it with the caller's (docs/api.md, "Registering directly").
 */
export function agreementCallData(a: AgreementRequest): string {
  const t = a.terms;
  const terms = [
    t.platform,
    t.funder,
    t.collector,
    t.guarantor,
    t.channels,
    t.graceSecs,
    t.settleSecs,
    t.forwardSecs,
    t.confirmSecs,
    t.reportSecs,
    t.disclosureHash,
  ];
  const s = a.signatures;
  const sigs = [s.platform, s.funder, s.collector, s.guarantor];
  return a.version === 1
    ? REGISTRY_ABI.encodeFunctionData("register", [a.agreementId, a.salt, terms, sigs])
    : REGISTRY_ABI.encodeFunctionData("amend", [a.agreementId, a.version, terms, sigs]);
}
