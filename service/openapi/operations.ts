import type { ErrorCode } from "../errors";
import { EVENT_TYPES } from "../events/EventHub";
import { MAX_ALERTS_LIMIT } from "../read/alerts";
import { FIGURES } from "../stats/statsLoans";
import { ref, str, type Schema } from "./formatSchemas";
import { LOAN_READS, READ } from "./loanOperations";
import { PUBLIC_OPERATIONS } from "./publicOperations";

/** A query or path parameter: its schema is what the service accepts (service/openapi/requestCheck.ts). */
export interface Param {
  name: string;
  in: "query" | "path";
  required?: boolean;
  description?: string;
  schema: Schema;
}

/** One operation, compactly: openApiDocument.ts expands it (errors grouped by status, shared answers). */
export interface Op {
  method: "get" | "post";
  path: string;
  operationId: string;
  summary: string;
  tag: "receipts" | "agreements" | "reads" | "shares" | "public";
  /** Who may call: nobody needs a key (public), a party's `Bearer` token, or a token or a share grant. */
  access: "public" | "party" | "reader";
  params?: Param[];
  body?: { schema: string; description?: string };
  /** Success answers: status → schema name (JSON) or a media type with a string schema. */
  ok: Record<number, { description: string; schema?: string; media?: string }>;
  /** The codes this operation answers besides the ones every operation may (RATE_LIMITED, BACKLOG_FULL, INTERNAL). */
  errors: ErrorCode[];
}

const bytes32 = ref("Bytes32");
const q = (name: string, schema: Schema, description?: string, required = false): Param => ({
  name,
  in: "query",
  schema,
  ...(required ? { required } : {}),
  ...(description ? { description } : {}),
});
const p = (name: string, schema: Schema): Param => ({ name, in: "path", required: true, schema });
const day = { type: "string", pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" };
const seconds = { type: "string", pattern: "^[0-9]{1,12}$" };
const limit = (max: number): Schema => ({ type: "string", pattern: "^[1-9][0-9]{0,6}$", description: `1 to ${max}` });
const statsWindow = [
  q("agreementId", { type: "string" }, "bytes32 (required)"),
  q("from", seconds, "unix seconds, default 0"),
  q("to", seconds, "unix seconds, default the end of time"),
  q("format", { enum: ["csv", "json"] }, "or `Accept: text/csv`"),
];

/** Every endpoint of the service (docs/api.md, "Endpoints"): the one list the document is built from. */
export const OPERATIONS: Op[] = [
  ...PUBLIC_OPERATIONS,
  {
    method: "post",
    path: "/v1/receipts",
    operationId: "submitReceipts",
    summary: "Submit one signed receipt, or 1 to 1000 as `items`; answered with signed Acks",
    tag: "receipts",
    access: "public",
    body: { schema: "ReceiptsRequest", description: "parsed by @repayproof/verifier parseReceipt; any content-type" },
    ok: {
      202: { description: "accepted: `{ digest, status, ack }`, or `{ results }` for items", schema: "Submitted" },
    },
    errors: [
      "INVALID_BODY",
      "INVALID_TIME",
      "BAD_SIGNATURE",
      "NOT_AUTHORIZED_FOR_KIND",
      "UNKNOWN_AGREEMENT",
      "NONCE_CONFLICT",
      "BODY_TOO_LARGE",
      "QUOTA_EXCEEDED",
      "CHAIN_UNAVAILABLE",
    ],
  },
  {
    method: "get",
    path: "/v1/receipts/{digest}",
    operationId: "getReceipt",
    summary: "A receipt's status, Ack and batch",
    tag: "receipts",
    access: "reader",
    params: [p("digest", bytes32)],
    ok: { 200: { description: "the receipt as stored", schema: "ReceiptRecord" } },
    errors: READ,
  },
  {
    method: "get",
    path: "/v1/receipts/{digest}/proof",
    operationId: "getReceiptProof",
    summary: "The receipt-proof bundle, once the batch's transaction is mined",
    tag: "receipts",
    access: "reader",
    params: [p("digest", bytes32)],
    ok: { 200: { description: "repayproof/receipt-proof@1", schema: "ReceiptProofBundle" } },
    errors: [...READ, "NOT_ANCHORED_YET"],
  },
  {
    method: "post",
    path: "/v1/agreements",
    operationId: "relayAgreement",
    summary: "Relay a signed agreement (version 1 registers, later versions amend) to the registry",
    tag: "agreements",
    access: "party",
    body: { schema: "AgreementRequest" },
    ok: { 201: { description: "mined", schema: "AgreementRelayed" } },
    errors: [
      "RELAY_DISABLED",
      "UNAUTHENTICATED",
      "INVALID_BODY",
      "FORBIDDEN",
      "BAD_SIGNATURE",
      "AGREEMENT_EXISTS",
      "UNKNOWN_AGREEMENT",
      "BODY_TOO_LARGE",
      "QUOTA_EXCEEDED",
      "CHAIN_UNAVAILABLE",
    ],
  },
  {
    method: "get",
    path: "/v1/agreements/{id}",
    operationId: "getAgreement",
    summary: "An agreement's versions as the registry holds them",
    tag: "agreements",
    access: "party",
    params: [p("id", bytes32)],
    ok: { 200: { description: "the versions", schema: "Agreement" } },
    errors: READ,
  },
  ...LOAN_READS,
  {
    method: "get",
    path: "/v1/reconciliation",
    operationId: "getReconciliation",
    summary: "Day-by-day amounts of one agreement and the collector's float",
    tag: "reads",
    access: "party",
    params: [
      q("agreementId", { type: "string" }, "bytes32 (required)"),
      q("from", day, "UTC day, default six days before `to`"),
      q("to", day, "UTC day, default today"),
      q("cursor", day, "a `nextCursor`"),
      q("limit", limit(366), "days per page"),
    ],
    ok: { 200: { description: "one page of days", schema: "Reconciliation" } },
    errors: READ,
  },
  {
    method: "get",
    path: "/v1/alerts",
    operationId: "getAlerts",
    summary: "Open breaches, overdue float and overdue anchors of the reader's agreements",
    tag: "reads",
    access: "party",
    params: [
      q("agreementId", { type: "string" }, "bytes32: one agreement"),
      q("cursor", str(), "a `nextCursor`"),
      q("limit", limit(MAX_ALERTS_LIMIT), "alerts per page, about"),
    ],
    ok: { 200: { description: "one page of alerts", schema: "Alerts" } },
    errors: READ,
  },
  {
    method: "get",
    path: "/v1/stats",
    operationId: "getStats",
    summary: "Supervision figures per stage and responsible party of one agreement",
    tag: "reads",
    access: "party",
    params: statsWindow,
    ok: { 200: { description: "JSON, or CSV with `format=csv`", schema: "Stats", media: "text/csv" } },
    errors: ["STATS_DISABLED", ...READ],
  },
  {
    method: "get",
    path: "/v1/stats/loans",
    operationId: "getStatsLoans",
    summary: "The loans behind a figure",
    tag: "reads",
    access: "party",
    params: [
      ...statsWindow,
      q("figure", { enum: [...FIGURES] }, "default judged"),
      q("stage", str(), "a stage name"),
      q("responsible", str(), 'an address, "borrower", or empty for none'),
      q("cursor", str(), "a `nextCursor`"),
      q("limit", { type: "string" }, "1 to 1000, default 100"),
    ],
    ok: {
      200: { description: "one page (CSV: the cursor in X-Next-Cursor)", schema: "StatsLoans", media: "text/csv" },
    },
    errors: ["STATS_DISABLED", ...READ],
  },
  {
    method: "get",
    path: "/v1/events",
    operationId: "streamEvents",
    summary: "Server-sent events of the reader's agreements (resume with Last-Event-ID)",
    tag: "reads",
    access: "party",
    params: [
      q("types", { type: "string", minLength: 1 }, `comma-separated, of: ${EVENT_TYPES.join(", ")}`),
      q("agreementId", str(), "bytes32: one agreement"),
    ],
    ok: { 200: { description: "`id`, `event` (a type above), `data` (JSON) per event", media: "text/event-stream" } },
    errors: [...READ, "QUOTA_EXCEEDED"],
  },
  {
    method: "post",
    path: "/v1/shares",
    operationId: "createShare",
    summary: "Check a share grant the caller signed and get the link that opens the loan's page",
    tag: "shares",
    access: "party",
    body: { schema: "ShareRequest" },
    ok: { 201: { description: "the share and its link", schema: "ShareCreated" } },
    errors: ["UNAUTHENTICATED", "FORBIDDEN", "INVALID_BODY", "BODY_TOO_LARGE", "CHAIN_UNAVAILABLE"],
  },
  {
    method: "post",
    path: "/v1/shares/revoke",
    operationId: "revokeShare",
    summary: "Revoke a share grant the caller signed (idempotent)",
    tag: "shares",
    access: "party",
    body: { schema: "ShareRequest" },
    ok: { 200: { description: "revoked", schema: "ShareRevoked" } },
    errors: ["UNAUTHENTICATED", "FORBIDDEN", "INVALID_BODY", "BODY_TOO_LARGE", "CHAIN_UNAVAILABLE"],
  },
];
