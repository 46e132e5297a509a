import { ApiError } from "../errors";

/** `?limit=` as an integer in [1, max], `fallback` when absent (400 INVALID_BODY, details.field, otherwise). */
export function pageLimit(raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^[1-9][0-9]{0,6}$/.test(raw) || Number(raw) > max)
    throw new ApiError("INVALID_BODY", `limit: expected an integer from 1 to ${max}`, { field: "limit" });
  return Number(raw);
}
