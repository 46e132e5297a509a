import type { ValidateFunction } from "ajv/dist/2020";
import { ApiError } from "../errors";
import { compileAgainstDocument, fieldOf, messageOf } from "./documentSchemas";
import { OPERATIONS } from "./operations";

const compiled = new Map<string, ValidateFunction>();

function validator(key: string, schema: () => unknown): ValidateFunction {
  let v = compiled.get(key);
  if (!v) compiled.set(key, (v = compileAgainstDocument(schema())));
  return v;
}

function refuse(v: ValidateFunction, what: string): never {
  const e = v.errors?.[0];
  if (!e) throw new ApiError("INVALID_BODY", `${what} does not match the API's schema`);
  const field = fieldOf(e);
  throw new ApiError("INVALID_BODY", messageOf(e), field ? { field } : undefined);
}

/**
 * The query string of operation `operationId`, checked against its parameters in the OpenAPI document: only
 * those names, each once, as a string matching its schema. 400 INVALID_BODY with `details.field` otherwise.
 * Meanings beyond the schema (a real date, from ≤ to, a readable agreement) stay with the route.
 */
export function checkQueryOf(operationId: string, query: Record<string, unknown>): Record<string, string> {
  const v = validator(`query ${operationId}`, () => {
    const op = OPERATIONS.find((o) => o.operationId === operationId);
    if (!op) throw new Error(`no operation ${operationId} in the document`);
    const params = (op.params ?? []).filter((p) => p.in === "query");
    return {
      type: "object",
      properties: Object.fromEntries(params.map((p) => [p.name, { allOf: [{ type: "string" }, p.schema] }])),
      required: params.filter((p) => p.required).map((p) => p.name),
      additionalProperties: false,
    };
  });
  if (!v(query)) {
    const e = v.errors?.[0];
    const extra = (e?.params as { additionalProperty?: string } | undefined)?.additionalProperty;
    if (extra !== undefined)
      throw new ApiError("INVALID_BODY", `unknown query parameter \`${extra}\``, { field: extra });
    refuse(v, "the query");
  }
  return query as Record<string, string>;
}

/** A JSON body checked against `components.schemas[name]` of the document (400 INVALID_BODY, `details.field`). */
export function checkBodyOf<T>(name: string, body: unknown): T {
  const v = validator(`body ${name}`, () => ({ $ref: `#/components/schemas/${name}` }));
  if (!v(body)) refuse(v, "the body");
  return body as T;
}
