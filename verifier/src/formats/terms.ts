import { KIND } from "./receipt";

/** The terms of one agreement version (EIP-712 `Terms`; on chain: `AgreementRegistry.termsOf`). */
export interface Terms {
  platform: string;
  funder: string;
  collector: string;
  guarantor: string; // zero address when none
  channels: string[];
  graceSecs: number;
  settleSecs: number;
  forwardSecs: number;
  confirmSecs: number;
  reportSecs: number;
  disclosureHash: string;
}

/** One recorded version: its terms and the block time and number at which it took effect. */
export interface AgreementVersion {
  version: number;
  effectiveAt: number;
  blockNumber: number;
  terms: Terms;
}

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

const eq = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * The version in force at `timestamp`, mirroring `AgreementRegistry.versionAt`: the latest version whose
 * `effectiveAt` ≤ timestamp, version 1 for earlier times; undefined when there is no version.
 * `versions` must be in version order (1, 2, …).
 */
export function versionInForce<V extends { effectiveAt: number }>(
  versions: readonly V[],
  timestamp: number,
): V | undefined {
  let found = versions[0];
  for (const v of versions) {
    if (v.effectiveAt <= timestamp) found = v;
    else break;
  }
  return found;
}

function isChannel(t: Terms, a: string): boolean {
  return t.channels.some((c) => eq(c, a));
}

/**
 * Whether `attester` may sign a receipt of `kind` under `terms`, mirroring `AgreementRegistry.isAuthorized`
 * (DESIGN.md kind → signer table). VOIDED: any party here as on chain; that it is the voided receipt's own
 * attester is checked where the voided receipt is known.
 */
export function isAuthorizedUnder(terms: Terms, attester: string, kind: number): boolean {
  if (eq(attester, ZERO_ADDRESS)) return false;
  switch (kind) {
    case KIND.DUE:
      return eq(attester, terms.platform) || eq(attester, terms.funder);
    case KIND.INITIATED:
    case KIND.SETTLED:
      return isChannel(terms, attester);
    case KIND.FORWARDED:
      return eq(attester, terms.collector);
    case KIND.CONFIRMED:
      return eq(attester, terms.funder);
    case KIND.REVERSED:
      return eq(attester, terms.collector) || isChannel(terms, attester);
    case KIND.COMPENSATED:
      return eq(attester, terms.guarantor);
    case KIND.VOIDED:
      return (
        eq(attester, terms.platform) ||
        eq(attester, terms.funder) ||
        eq(attester, terms.collector) ||
        eq(attester, terms.guarantor) ||
        isChannel(terms, attester)
      );
    default:
      return false;
  }
}

/** Every party of `terms` (platform, funder, collector, guarantor when set, channels), lower-cased, unique. */
export function partiesOf(terms: Terms): string[] {
  const all = [terms.platform, terms.funder, terms.collector, terms.guarantor, ...terms.channels].map((a) =>
    a.toLowerCase(),
  );
  return [...new Set(all)].filter((a) => a !== ZERO_ADDRESS);
}

/**
 * The role `address` holds under `terms` — `platform`, `funder`, `collector`, `guarantor` or `channel N`
 * (1-based, in the terms' order) — the first that matches when it holds several; undefined for none.
 */
export function roleOf(address: string, terms: Terms): string | undefined {
  if (eq(address, ZERO_ADDRESS)) return undefined;
  for (const role of ["platform", "funder", "collector", "guarantor"] as const) {
    if (eq(address, terms[role])) return role;
  }
  const i = terms.channels.findIndex((c) => eq(c, address));
  return i < 0 ? undefined : `channel ${i + 1}`;
}
