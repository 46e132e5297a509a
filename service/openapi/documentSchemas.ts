import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import { openApiDocument } from "./openApiDocument";

const DOC_ID = "https://repayproof.invalid/openapi.json";
let ajv: Ajv2020 | undefined;

/**
 * Compiles `schema` (JSON Schema 2020-12, whose `$ref`s point into the OpenAPI document: `#/components/…`)
 * against the document. One compiler for the service's request checks and the tests' answer checks.
 */
export function compileAgainstDocument(schema: unknown): ValidateFunction {
  if (!ajv) {
    ajv = new Ajv2020({ allErrors: false, strict: true, strictTypes: false, strictTuples: false });
    ajv.addKeyword("components"); // the document's holder of schemas: only ever a $ref target
    ajv.addSchema({ $id: DOC_ID, components: openApiDocument().components } as object);
  }
  const text = JSON.stringify(schema).replaceAll('"#/components/', `"${DOC_ID}#/components/`);
  return ajv.compile(JSON.parse(text) as object);
}

/** The field an ajv error is about, dotted (`terms.platform`, `salt`; array indexes left out), "" for the root. */
export function fieldOf(e: ErrorObject): string {
  const path = e.instancePath.split("/").filter((s) => s !== "" && !/^[0-9]+$/.test(s));
  const p = e.params as { additionalProperty?: string; missingProperty?: string };
  const leaf = p.additionalProperty ?? p.missingProperty;
  if (leaf !== undefined) path.push(leaf);
  return path.join(".");
}

/** A one-line account of the first error, naming its field. */
export function messageOf(e: ErrorObject): string {
  const field = fieldOf(e);
  const p = e.params as { additionalProperty?: string };
  if (p.additionalProperty !== undefined) return `unknown field \`${field}\``;
  return `${field || "body"}: ${e.message ?? "invalid"}`;
}
