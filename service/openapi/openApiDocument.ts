import { ERROR_STATUS, type ErrorCode } from "../errors";
import { FORMAT_SCHEMAS, ref, type Schema } from "./formatSchemas";
import { OPERATIONS, type Op } from "./operations";
import { SERVICE_SCHEMAS } from "./serviceSchemas";

/** Codes any operation may answer: the rate limit and the in-flight bound sit in front of every route; bugs. */
const EVERYWHERE: ErrorCode[] = ["RATE_LIMITED", "BACKLOG_FULL", "INTERNAL"];

const retryAfter = { "Retry-After": { $ref: "#/components/headers/RetryAfter" } };

/** The error answer of `codes` (all of one status): the Error body with `error.code` narrowed to them. */
function errorSchema(codes: ErrorCode[]): Schema {
  return { allOf: [ref("Error"), { properties: { error: { properties: { code: { enum: codes } } } } }] };
}

function responsesOf(op: Op): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set([...op.errors, ...EVERYWHERE])) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<string, unknown> = {};
  for (const [status, ok] of Object.entries(op.ok)) {
    const content: Record<string, unknown> = {};
    if (ok.schema) content["application/json"] = { schema: ref(ok.schema) };
    // The one JSON answer without a schema of its own is this document (an OpenAPI object).
    const json = { type: "object", properties: { openapi: { const: "3.1.0" } }, required: ["openapi"] };
    if (ok.media) content[ok.media] = { schema: ok.media === "application/json" ? json : { type: "string" } };
    out[status] = { description: ok.description, content };
  }
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const headers = status === 429 || status === 503 ? { headers: retryAfter } : {};
    const own = op.ok[status];
    const schema = own?.schema ? { oneOf: [ref(own.schema), errorSchema(codes)] } : errorSchema(codes);
    out[String(status)] = {
      description: `${own ? own.description + "; or " : ""}${codes.join(", ")}`,
      ...headers,
      content: { "application/json": { schema } },
    };
  }
  return out;
}

const SECURITY: Record<Op["access"], unknown[]> = {
  public: [],
  party: [{ bearer: [] }],
  reader: [{ bearer: [] }, { share: [] }, { shareLink: [] }],
};

function operationOf(op: Op): Record<string, unknown> {
  return {
    operationId: op.operationId,
    summary: op.summary,
    tags: [op.tag],
    security: SECURITY[op.access],
    ...(op.params ? { parameters: op.params } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: true,
            ...(op.body.description ? { description: op.body.description } : {}),
            content: { "application/json": { schema: ref(op.body.schema) } },
          },
        }
      : {}),
    responses: responsesOf(op),
  };
}

let built: Record<string, unknown> | undefined;

/**
 * The OpenAPI 3.1 document of the service, built from OPERATIONS and the schemas beside it (nothing from the
 * configuration: `servers` is the relative `/`, so no RPC URL or host leaks). The service validates its query
 * strings and JSON bodies against it (requestCheck.ts); the route tests validate every answer they receive.
 */
export function openApiDocument(): Record<string, unknown> {
  if (built) return built;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operationOf(op);
  built = {
    openapi: "3.1.0",
    info: {
      title: "RepayProof service",
      version: "0.2.0",
      summary: "Signed, anchored, provable repayment receipts for facilitated lending",
      description:
        "Errors: every 4xx/5xx body is `{ error: { code, message, details? } }`; codes are the API (docs/api.md, Errors). " +
        "Integers that may exceed 2^53 (`amount`, `nonce`) travel as decimal strings.",
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [{ url: "/", description: "this service" }],
    tags: [
      { name: "receipts", description: "submit receipts; read them, their status and proofs" },
      { name: "agreements", description: "relay and read agreements" },
      { name: "reads", description: "timelines, reconciliation, alerts, stats, events (scoped)" },
      { name: "shares", description: "one-loan share grants" },
      { name: "public", description: "no key needed" },
    ],
    paths,
    components: {
      schemas: { ...FORMAT_SCHEMAS, ...SERVICE_SCHEMAS },
      headers: {
        RetryAfter: { description: "seconds to wait before retrying", schema: { type: "integer", minimum: 1 } },
      },
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "`<party>.<expiresAt>.<signature>`: EIP-712 Access(address party,uint64 expiresAt), ≤ 24 h",
        },
        share: {
          type: "apiKey",
          in: "header",
          name: "Authorization",
          description: "`Share <share>`: one loan's share grant (a named grantee adds X-RepayProof-Access)",
        },
        shareLink: { type: "apiKey", in: "query", name: "share", description: "the share grant in a link" },
      },
    },
  };
  return built;
}
