import type { ValidateFunction } from "ajv/dist/2020";
import supertest from "supertest";
import { compileAgainstDocument } from "../../service/openapi/documentSchemas";
import { openApiDocument } from "../../service/openapi/openApiDocument";

/**
 * Every answer the route tests receive is checked against the service's OpenAPI document: its status must
 * be one the operation documents and its body must match that response's schema. Installed once for the
 * whole run from hardhat.config.ts (a mocha root hook) into supertest, and called by spawnFixture's fetch
 * helpers, so the document cannot drift from the code without a test failing.
 */

interface Operation {
  method: string;
  pattern: RegExp;
  path: string;
  responses: Record<string, { content?: Record<string, unknown> }>;
}

const doc = openApiDocument() as {
  paths: Record<string, Record<string, { responses: Operation["responses"] }>>;
};
const operations: Operation[] = [];
for (const [path, methods] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(methods)) {
    const pattern = new RegExp("^" + path.replace(/\{[^}]+\}/g, "[^/]+") + "$");
    operations.push({ method, pattern, path, responses: op.responses });
  }
}
// A literal path wins over a template that also matches (`/v1/stats/loans` is no `/v1/stats/{x}`).
operations.sort((a, b) => (b.path.match(/\{/g) ? 0 : 1) - (a.path.match(/\{/g) ? 0 : 1));
const compiled = new Map<string, ValidateFunction>();

function validatorOf(key: string, schema: unknown): ValidateFunction {
  let v = compiled.get(key);
  if (!v) compiled.set(key, (v = compileAgainstDocument(schema)));
  return v;
}

/**
 * Why the answer `status`/`body` (of `contentType`) to `method path` breaks the document, or undefined when it
 * does not. A path no operation has must be the JSON 404 of unknown routes.
 */
export function contractViolation(
  method: string,
  url: string,
  status: number,
  contentType: string | undefined,
  body: unknown,
): string | undefined {
  const path = new URL(url, "http://x").pathname;
  const m = method.toLowerCase();
  const op = operations.find((o) => o.method === m && o.pattern.test(path));
  const media = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (!op) {
    if (status !== 404 || media !== "application/json")
      return `${method} ${path}: no operation, yet ${status} ${media}`;
    const v = validatorOf("unknown-route", { $ref: "#/components/schemas/Error" });
    return v(body) && (body as { error: { code: string } }).error.code === "NOT_FOUND"
      ? undefined
      : `${method} ${path} (no operation): not the JSON 404 NOT_FOUND: ${JSON.stringify(body)}`;
  }
  const where = `${method.toUpperCase()} ${op.path} → ${status}`;
  const response = op.responses[String(status)];
  if (!response) return `${where}: the document lists no ${status} for this operation`;
  const content = response.content ?? {};
  const entry = content[media] as { schema?: unknown } | undefined;
  if (!entry) return `${where}: answered ${media || "no content-type"}, documented ${Object.keys(content).join(", ")}`;
  if (media !== "application/json") return undefined; // text (CSV, HTML, metrics, events): the media type is the contract
  const v = validatorOf(`${m} ${op.path} ${status}`, entry.schema);
  if (v(body)) return undefined;
  return `${where}: the body does not match the document: ${(v.errors ?? []).map((e) => `${e.instancePath || "body"} ${e.message}`).join("; ")}\n${JSON.stringify(body).slice(0, 600)}`;
}

/** Throws when the answer breaks the document (for fetch-based helpers). */
export function expectDocumented(
  method: string,
  url: string,
  status: number,
  contentType: string,
  body: unknown,
): void {
  const why = contractViolation(method, url, status, contentType, body);
  if (why) throw new Error(`OpenAPI drift: ${why}`);
}

type AssertFn = (resError: unknown, res: unknown, fn: unknown) => void;
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  text?: string;
}
let installed = false;

/**
 * Makes every supertest request of the run check its answer against the document (an extra assertion on
 * each `Test`): a drifted answer fails the request, and so the test, with what differs.
 */
export function installApiContractCheck(): void {
  if (installed) return;
  installed = true;
  const { Test } = supertest as unknown as { Test: { prototype: { assert: AssertFn } } };
  const proto = Test.prototype;
  const assert = proto.assert;
  proto.assert = function (this: { method: string; url: string; _asserts: unknown[] }, resError, res, fn) {
    if (res) {
      const method = this.method;
      const url = this.url;
      this._asserts.push((r: Answer) => {
        const media = r.headers["content-type"] ?? "";
        const why = contractViolation(
          method,
          url,
          r.status,
          media,
          media.startsWith("application/json") ? r.body : r.text,
        );
        return why ? new Error(`OpenAPI drift: ${why}`) : undefined;
      });
    }
    assert.call(this, resError, res, fn);
  };
}
