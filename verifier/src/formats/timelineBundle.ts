import { parseAck, type Ack } from "./ack";
import { parseBundle, type ReceiptBundle } from "./bundle";
import { parseCompletenessEntry, type CompletenessEntry } from "./completeness";
import { address, array, bytes32, fail, MAX_UINT32, object, signature, uint, under } from "./parseFields";
import { parseReceipt, type Receipt } from "./receipt";
import type { AgreementVersion, Terms } from "./terms";

/** The one timeline format this verifier understands (DESIGN.md, "Timeline bundle"). */
export const TIMELINE_FORMAT = "repayproof/timeline@1";
/** Most events a timeline may carry; a loan has a few dozen receipts, so more is refused before any work. */
export const MAX_TIMELINE_EVENTS = 10_000;
/** Most agreement versions accepted (amendments are rare; this only bounds the work of a hostile file). */
export const MAX_TIMELINE_VERSIONS = 1_000;

/** A receipt the service accepted but has not anchored yet: counted at its claimed time (docs/timeline.md). */
export interface PendingTimelineEvent {
  status: "pending";
  digest: string;
  receipt: Receipt;
  signature: string;
  ack: Ack;
}

/** One event of a timeline: a receipt-proof bundle when anchored, else a pending receipt. */
export type TimelineBundleEvent =
  { kind: "anchored"; bundle: ReceiptBundle; json: unknown } | { kind: "pending"; pending: PendingTimelineEvent };

/** A parsed, shape-checked `repayproof/timeline@1` bundle. Nothing in it is trusted yet. */
export interface TimelineBundle {
  format: typeof TIMELINE_FORMAT;
  chainId: number;
  contracts: { registry: string; anchor: string };
  stream: string;
  loanId: string;
  agreement: { id: string; versions: AgreementVersion[] };
  events: TimelineBundleEvent[];
  /** The service's evaluation as served (plain JSON): compared field by field, never trusted. */
  evaluation: Record<string, unknown>;
  /** `evaluation.asOf`: the time the service judged at. */
  asOf: number;
  /** v0.2, optional: one loan state proof per stream (DESIGN.md, "Completeness"), checked by COMPLETE. */
  completeness?: CompletenessEntry[];
}

/** Completeness entries a timeline may carry: one per stream. */
export const MAX_COMPLETENESS_ENTRIES = 16;

function parseTerms(v: unknown, field: string): Terms {
  const t = object(v, field, [
    "platform",
    "funder",
    "collector",
    "guarantor",
    "channels",
    "graceSecs",
    "settleSecs",
    "forwardSecs",
    "confirmSecs",
    "reportSecs",
    "disclosureHash",
  ]);
  const secs = (k: string): number => uint(t[k], `${field}.${k}`, MAX_UINT32);
  return {
    platform: address(t.platform, `${field}.platform`),
    funder: address(t.funder, `${field}.funder`),
    collector: address(t.collector, `${field}.collector`),
    guarantor: address(t.guarantor, `${field}.guarantor`),
    channels: array(t.channels, `${field}.channels`, 256).map((c, i) => address(c, `${field}.channels[${i}]`)),
    graceSecs: secs("graceSecs"),
    settleSecs: secs("settleSecs"),
    forwardSecs: secs("forwardSecs"),
    confirmSecs: secs("confirmSecs"),
    reportSecs: secs("reportSecs"),
    disclosureHash: bytes32(t.disclosureHash, `${field}.disclosureHash`),
  };
}

function parseVersion(v: unknown, field: string): AgreementVersion {
  const o = object(v, field, ["version", "effectiveAt", "blockNumber", "terms"]);
  return {
    version: uint(o.version, `${field}.version`, MAX_UINT32, 1),
    effectiveAt: uint(o.effectiveAt, `${field}.effectiveAt`, Number.MAX_SAFE_INTEGER),
    blockNumber: uint(o.blockNumber, `${field}.blockNumber`, Number.MAX_SAFE_INTEGER),
    terms: parseTerms(o.terms, `${field}.terms`),
  };
}

function parsePending(v: unknown, field: string): PendingTimelineEvent {
  const o = object(v, field, ["status", "digest", "receipt", "signature", "ack"]);
  if (o.status !== "pending") fail(`${field}.status`, 'expected "pending"');
  return {
    status: "pending",
    digest: bytes32(o.digest, `${field}.digest`),
    receipt: parseReceipt(o.receipt, `${field}.receipt`),
    signature: signature(o.signature, `${field}.signature`),
    // The same Ack shapes as a receipt-proof bundle's: single, or (v0.2) a share of a batch Ack.
    ack: parseAck(o.ack, `${field}.ack`),
  };
}

function parseEvent(v: unknown, field: string): TimelineBundleEvent {
  // A receipt-proof bundle names its format; a pending receipt says so in `status`.
  if (typeof v === "object" && v !== null && "format" in v) {
    return { kind: "anchored", bundle: under(field, () => parseBundle(v)), json: v };
  }
  return { kind: "pending", pending: parsePending(v, field) };
}

/**
 * Parses an untrusted timeline bundle (any JSON value): every field of the envelope, the agreement's
 * versions and every event is checked for presence, type, hex length and range; unknown fields are refused
 * (the service's evaluation is kept as JSON, to be compared, and only its `asOf` and `installments` are
 * checked here). Throws {@link InvalidArgumentError} (`INVALID_FIELD`) naming the first bad field.
 */
export function parseTimelineBundle(json: unknown): TimelineBundle {
  const o = object(
    json,
    "timeline",
    ["format", "chainId", "contracts", "stream", "loanId", "agreement", "events", "evaluation"],
    ["completeness"],
  );
  if (o.format !== TIMELINE_FORMAT) fail("format", `expected "${TIMELINE_FORMAT}"`);
  const c = object(o.contracts, "contracts", ["registry", "anchor"]);
  const a = object(o.agreement, "agreement", ["id", "versions"]);
  const versions = array(a.versions, "agreement.versions", MAX_TIMELINE_VERSIONS).map((v, i) =>
    parseVersion(v, `agreement.versions[${i}]`),
  );
  if (versions.length === 0) fail("agreement.versions", "expected at least version 1");
  const events = array(o.events, "events", MAX_TIMELINE_EVENTS).map((e, i) => parseEvent(e, `events[${i}]`));
  const e = object(o.evaluation, "evaluation", ["asOf", "installments"], ["pendingIncluded", "notes"]);
  array(e.installments, "evaluation.installments", MAX_UINT32);
  return {
    format: TIMELINE_FORMAT,
    chainId: uint(o.chainId, "chainId", Number.MAX_SAFE_INTEGER, 1),
    contracts: { registry: address(c.registry, "contracts.registry"), anchor: address(c.anchor, "contracts.anchor") },
    stream: bytes32(o.stream, "stream"),
    loanId: bytes32(o.loanId, "loanId"),
    agreement: { id: bytes32(a.id, "agreement.id"), versions },
    events,
    evaluation: e,
    asOf: uint(e.asOf, "evaluation.asOf", Number.MAX_SAFE_INTEGER),
    ...(o.completeness === undefined
      ? {}
      : {
          completeness: array(o.completeness, "completeness", MAX_COMPLETENESS_ENTRIES).map((c, i) =>
            under(`completeness[${i}]`, () => parseCompletenessEntry(c, MAX_TIMELINE_EVENTS)),
          ),
        }),
  };
}

/** The receipt, digest and signature of an event, whichever its kind. */
export function eventReceipt(e: TimelineBundleEvent): { receipt: Receipt; digest: string; signature: string } {
  return e.kind === "anchored" ? e.bundle : e.pending;
}
