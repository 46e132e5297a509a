import { ApiError } from "../errors";

/**
 * Refuses query parameters outside `allowed` and non-string values (400 INVALID_BODY, details.field).
 * @deprecated a route in the OpenAPI document checks its query with `checkQueryOf` (openapi/requestCheck.ts),
 * so the names and patterns live in the document alone.
 */
export function checkQuery(query: Record<string, unknown>, allowed: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) {
    if (!allowed.includes(k)) throw new ApiError("INVALID_BODY", `unknown query parameter \`${k}\``, { field: k });
    if (typeof v !== "string") throw new ApiError("INVALID_BODY", `${k}: give it once, as a string`, { field: k });
    out[k] = v;
  }
  return out;
}

/** `?limit=` as an integer in [1, max], `fallback` when absent (400 INVALID_BODY, details.field, otherwise). */
export function pageLimit(raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^[1-9][0-9]{0,6}$/.test(raw) || Number(raw) > max)
    throw new ApiError("INVALID_BODY", `limit: expected an integer from 1 to ${max}`, { field: "limit" });
  return Number(raw);
}
