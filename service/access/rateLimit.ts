import type { RequestHandler } from "express";
import { ApiError } from "../errors";

const MAX_KEYS = 100_000;

/**
 * Per-key token bucket: `rps` requests per second with a burst of 2 × rps. The key is the bearer
 * party when a token is sent, else the client address. Answers 429 RATE_LIMITED when empty.
 */
export function rateLimit(rps: number): RequestHandler {
  const burst = rps * 2;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (req, _res, next) => {
    const auth = req.get("authorization");
    const key = auth?.startsWith("Bearer ") ? auth.slice(7, 49).toLowerCase() : (req.ip ?? "unknown");
    const now = Date.now();
    let b = buckets.get(key);
    if (!b) {
      if (buckets.size >= MAX_KEYS) {
        for (const [k, v] of buckets) if (v.tokens + ((now - v.at) / 1000) * rps >= burst) buckets.delete(k);
        if (buckets.size >= MAX_KEYS) buckets.clear();
      }
      b = { tokens: burst, at: now };
      buckets.set(key, b);
    }
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rps);
    b.at = now;
    if (b.tokens < 1) {
      next(
        new ApiError("RATE_LIMITED", `more than ${rps} requests per second; slow down`, {
          retryAfterMs: Math.ceil(1000 / rps),
        }),
      );
      return;
    }
    b.tokens -= 1;
    next();
  };
}
