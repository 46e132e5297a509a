import type { Op, Param } from "./operations";
import { str, type Schema } from "./formatSchemas";

const p = (name: string, schema: Schema): Param => ({ name, in: "path", required: true, schema });

/** The endpoints anyone may call without a key: identity, health, metrics, batches, the web app. */
export const PUBLIC_OPERATIONS: Op[] = [
  {
    method: "get",
    path: "/v1/info",
    operationId: "getInfo",
    summary: "Chain, contracts, stream, operator and EIP-712 domain of this service",
    tag: "public",
    access: "public",
    ok: { 200: { description: "fixed format", schema: "Info" } },
    errors: [],
  },
  {
    method: "get",
    path: "/v1/openapi.json",
    operationId: "getOpenApi",
    summary: "This document",
    tag: "public",
    access: "public",
    ok: { 200: { description: "OpenAPI 3.1", media: "application/json" } },
    errors: [],
  },
  {
    method: "get",
    path: "/healthz",
    operationId: "getHealth",
    summary: "Anchoring health: 503 only when anchoring halted on a broken invariant",
    tag: "public",
    access: "public",
    ok: {
      200: { description: "healthy (the chain may still be unreachable)", schema: "Health" },
      503: { description: "anchoring halted (`halted` says why; `Retry-After`)", schema: "Health" },
    },
    errors: [],
  },
  {
    method: "get",
    path: "/metrics",
    operationId: "getMetrics",
    summary: "Prometheus metrics",
    tag: "public",
    access: "public",
    ok: { 200: { description: "Prometheus text", media: "text/plain" } },
    errors: [],
  },
  {
    method: "get",
    path: "/v1/batches/{stream}/{seq}",
    operationId: "getBatch",
    summary: "A batch's root, state and digests (rebuild the root from them)",
    tag: "public",
    access: "public",
    params: [p("stream", str()), p("seq", { type: "string", pattern: "^(0|[1-9][0-9]{0,11})$" })],
    ok: { 200: { description: "the batch", schema: "Batch" } },
    errors: ["INVALID_BODY", "NOT_FOUND"],
  },
  ...["/", "/loan/{loanId}", "/stats"].map((path, i): Op => ({
    method: "get",
    path,
    operationId: ["getWebApp", "getLoanPage", "getStatsPage"][i] as string,
    summary: ["The web app", "The page a share link opens", "The supervision figures page"][i] as string,
    tag: "public",
    access: "public",
    ...(path.includes("{") ? { params: [p("loanId", str())] } : {}),
    ok: { 200: { description: "one self-contained HTML page", media: "text/html" } },
    errors: ["NOT_FOUND"],
  })),
];
