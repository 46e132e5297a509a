import type { Request, RequestHandler } from "express";
import { ApiError } from "../errors";
import { verifiedBearer, type AccessContext } from "./auth";

const MAX_KEYS = 100_000;

/**
 * The key a request is limited under: its verified party (`party:0x…`) when its `Bearer` token checks out
 * without the chain (auth.verifiedBearer), else its client address (`ip:…`, Express's `req.ip`, so behind a
 * proxy only when TRUST_PROXY says which hops to believe). Never the unverified token text: a made-up token
 * would get a fresh bucket each time, and anyone could empty a victim's bucket by sending its address.
 */
export function limitKey(req: Request, access: AccessContext): string {
  const party = verifiedBearer(req, access);
  return party !== undefined ? `party:${party}` : `ip:${req.ip ?? req.socket.remoteAddress ?? "unknown"}`;
}

/**
 * Per-key token bucket (key: {@link limitKey}): `rps` requests per second with a burst of 2 × rps. Answers
 * 429 RATE_LIMITED with `Retry-After` when empty. Buckets are bounded (MAX_KEYS; full ones forgotten first).
 * `rps` may change (a function): several instances on one database each allow their share of RATE_LIMIT_RPS.
 */
export function rateLimit(limit: number | (() => number), access: AccessContext): RequestHandler {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (req, _res, next) => {
    const rps = typeof limit === "number" ? limit : limit();
    const burst = rps * 2;
    const key = limitKey(req, access);
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
      const waitS = (1 - b.tokens) / rps;
      const what = `more than ${Number(rps.toFixed(2))} requests per second`;
      next(new ApiError("RATE_LIMITED", `${what}; slow down`, undefined, waitS));
      return;
    }
    b.tokens -= 1;
    next();
  };
}

/**
 * A bound on requests in flight across the service (`MAX_IN_FLIGHT`): past it, 503 BACKLOG_FULL with
 * `Retry-After` before the request's body is read, so a flood of slow or large requests cannot hold
 * unbounded memory. Long-lived event streams are bounded by their own caps (routes/eventsRoutes.ts).
 */
export function inFlightLimit(max: number, exempt: (req: Request) => boolean = () => false): RequestHandler {
  let inFlight = 0;
  return (req, res, next) => {
    if (exempt(req)) return next();
    if (inFlight >= max) {
      next(new ApiError("BACKLOG_FULL", `the service is serving ${max} requests; retry shortly`, undefined, 1));
      return;
    }
    inFlight++;
    let done = false;
    const release = (): void => {
      if (done) return;
      done = true;
      inFlight--;
    };
    res.once("finish", release);
    res.once("close", release);
    next();
  };
}
