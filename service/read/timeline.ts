import {
  evaluateTimeline,
  MAX_COMPLETENESS_ENTRIES,
  parseReceipt,
  receiptToJson,
  TIMELINE_FORMAT,
  type AgreementVersion,
  type CompletenessEntry,
  type Evaluation,
  type TimelineEvent,
} from "@repayproof/verifier";
import type { Reader } from "./Reader";
import { assertCanRead, type Caller } from "../access/auth";
import { ApiError, isApiError } from "../errors";
import { AnchorTimes, latestAnchoredAt, loadReceipts, loanDigestsByAgreement, type LoanReceipt } from "./loanReceipts";
import { completenessOf } from "./completeness";
import { proofBundle } from "./proofBundle";
import type { StreamReaders } from "./StreamReaders";

/**
 * Most receipts one timeline serves: a loan has dozens; more means its own agreement's parties flooded it.
 * Counted under the agreement read, never across agreements: anyone can put receipts under any loan id with
 * an agreement of their own, and counted across they made the victim's timeline fail. (An object so that a
 * test can lower it.)
 */
export const TIMELINE_LIMITS = { maxReceipts: 10_000 };

/** A timeline bundle as served (DESIGN.md "Timeline bundle"; additions documented in docs/api.md). */
export interface TimelineJson {
  format: typeof TIMELINE_FORMAT;
  chainId: number;
  contracts: { registry: string; anchor: string };
  stream: string;
  loanId: string;
  agreement: { id: string; versions: AgreementVersion[] };
  events: unknown[];
  evaluation: Evaluation;
  /** v0.2: per stream, the loan's state proof for its latest batch, when every such batch is anchored (read/completeness.ts). */
  completeness?: CompletenessEntry[];
}

/**
 * The agreement whose timeline `party` reads. A loan id is a salted commitment and belongs to one agreement;
 * receipts naming it under several agreements (a collision, or someone reusing a loan id they saw) are split
 * by agreement, never mixed: `agreementId` picks one; without it the only agreement `party` may read is taken,
 * and when there are several (a regulator) the caller must say which (400 INVALID_BODY, listing them).
 */
async function chooseAgreement(
  reader: Reader,
  caller: Caller,
  byAgreement: Map<string, unknown>,
  agreementId: string | undefined,
): Promise<{ id: string; versions: AgreementVersion[] }> {
  if (caller.kind === "share") {
    // A share names its agreement: that one, and only when the caller asks for no other.
    if (agreementId !== undefined && agreementId !== caller.share.agreementId) {
      throw new ApiError("FORBIDDEN", "the share grants another agreement");
    }
    agreementId = caller.share.agreementId;
  }
  const party = caller.kind === "party" ? caller.party : undefined;
  const readable: { id: string; versions: AgreementVersion[] }[] = [];
  for (const id of byAgreement.keys()) {
    if (agreementId !== undefined && id !== agreementId) continue;
    const versions = await reader.terms.get(id);
    if (!versions) throw new ApiError("INTERNAL", `agreement ${id} of stored receipts is unknown to the registry`);
    try {
      if (party !== undefined) assertCanRead(party, reader.regulators, versions);
      readable.push({ id, versions });
    } catch (e) {
      if (!(isApiError(e) && e.code === "FORBIDDEN")) throw e;
    }
  }
  if (agreementId !== undefined && !byAgreement.has(agreementId)) {
    throw new ApiError("NOT_FOUND", "no receipt of this loan under this agreement was accepted here");
  }
  const [only, ...more] = readable;
  if (only === undefined) throw new ApiError("FORBIDDEN", "this party does not belong to the loan's agreement");
  if (more.length > 0) {
    throw new ApiError("INVALID_BODY", "receipts of this loan id name several agreements: add ?agreementId=", {
      field: "agreementId",
      agreementIds: readable.map((a) => a.id),
    });
  }
  return only;
}

/**
 * The agreement `caller` reads `loanId` under, and the loan's digests under it (authorised, bounded): 404
 * NOT_FOUND for a loan with no receipts here, 403 FORBIDDEN for a party outside its agreement.
 */
export async function loanOf(
  reader: Reader,
  caller: Caller,
  loanId: string,
  agreementId?: string,
): Promise<{ agreement: { id: string; versions: AgreementVersion[] }; digests: string[] }> {
  const byAgreement = await loanDigestsByAgreement(reader.store, loanId);
  if (byAgreement.size === 0) throw new ApiError("NOT_FOUND", "no receipt of this loan was accepted here");
  if (caller.kind === "share" && caller.share.loanId !== loanId)
    throw new ApiError("FORBIDDEN", "the share grants another loan");
  const agreement = await chooseAgreement(reader, caller, byAgreement, agreementId);
  const digests = byAgreement.get(agreement.id) ?? [];
  if (digests.length > TIMELINE_LIMITS.maxReceipts) {
    throw new ApiError(
      "INTERNAL",
      `loan ${loanId} holds ${digests.length} receipts, over ${TIMELINE_LIMITS.maxReceipts}`,
    );
  }
  return { agreement, digests };
}

/**
 * Builds the `repayproof/timeline@1` bundle of `loanId` for `caller` (already authenticated): the agreement
 * and its versions, every receipt of the loan under it — a receipt-proof bundle once the batch of the stream
 * that sealed it is anchored (any instance's, on a shared database), else `{ status: "pending", digest,
 * receipt, signature, ack }` — one completeness entry per stream (read/completeness.ts), and
 * `evaluateTimeline` at the block time of the latest anchored batch of those streams, pending receipts
 * counted (docs/timeline.md). Throws 404 NOT_FOUND for a loan with no receipts here, 403 FORBIDDEN for a
 * party outside its agreement.
 */
export async function buildTimeline(
  streams: StreamReaders,
  caller: Caller,
  loanId: string,
  agreementId?: string,
): Promise<TimelineJson> {
  const { own } = streams;
  const { agreement, digests } = await loanOf(own, caller, loanId, agreementId);
  // Before the events: a receipt sealed meanwhile is then an event beyond the proven batch, not a missing one.
  const completeness = await completenessOf(streams, agreement.id, loanId, digests, { anchoredOnly: true });
  // By stream and batch: each batch's tree is rebuilt (or found in its stream's cache) once for all its receipts.
  const held = (await loadReceipts(new AnchorTimes(streams), digests)).sort(byStreamAndBatch);
  const judged: TimelineEvent[] = [];
  const events: { key: [number, string]; json: unknown }[] = [];
  for (const { digest, stored: rec, batch, anchoredAt, reader } of held) {
    const receipt = parseReceipt(rec.receipt);
    judged.push({ digest, receipt, anchoredAt });
    const json = batch
      ? await proofBundle(reader, digest, rec, batch)
      : {
          status: "pending",
          digest,
          receipt: receiptToJson(receipt),
          signature: rec.signature,
          ack: await own.acks.ackOf(digest, rec),
        };
    events.push({ key: [receipt.occurredAt, digest], json });
  }
  events.sort((x, y) => x.key[0] - y.key[0] || (x.key[1] < y.key[1] ? -1 : x.key[1] > y.key[1] ? 1 : 0));

  // Read after the events: a batch anchored meanwhile cannot be later than the judgement time.
  const latest = await latestAnchoredAt([own, ...held.map((h) => h.reader)]);
  const now = judged.reduce((m, e) => Math.max(m, e.anchoredAt ?? 0), latest);
  const { identity } = own;
  return {
    format: TIMELINE_FORMAT,
    chainId: identity.chainId,
    contracts: { registry: identity.registry, anchor: identity.anchor },
    stream: identity.stream,
    loanId,
    agreement: { id: agreement.id, versions: agreement.versions },
    events: events.map((e) => e.json),
    evaluation: evaluateTimeline({ events: judged, versions: agreement.versions, now, includePending: true }),
    ...(verifiable(completeness, held) ? { completeness } : {}),
  };
}

/** Anchored before pending; then by stream, then by batch. */
function byStreamAndBatch(a: LoanReceipt, b: LoanReceipt): number {
  if (!a.batch !== !b.batch) return a.batch ? -1 : 1;
  const [x, y] = [a.reader.identity.stream, b.reader.identity.stream];
  if (x !== y) return x < y ? -1 : 1;
  return (a.batch?.seq ?? 0) - (b.batch?.seq ?? 0);
}

/**
 * Whether the timeline may carry `entries`: some, at most a verifier's limit, and one for every stream with
 * anchored events of the loan. A stream whose latest batch was not anchored yet has no entry, and a verifier
 * would fail such a timeline COMPLETE_NO_ENTRY; left out, completeness is claimed for no stream until every
 * stream's latest batch is anchored (the next read, usually a batch interval later).
 */
function verifiable(entries: readonly CompletenessEntry[], held: readonly LoanReceipt[]): boolean {
  if (entries.length === 0 || entries.length > MAX_COMPLETENESS_ENTRIES) return false;
  const covered = new Set(entries.map((e) => e.stream));
  return held.every((h) => h.batch === undefined || covered.has(h.reader.identity.stream.toLowerCase()));
}
