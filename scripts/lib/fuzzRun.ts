import fc from "fast-check";
import { ERROR_STATUS } from "../../service/errors";
import { fuzzRequests, type FuzzRequest } from "./fuzzBodies";
import type { FuzzTemplates } from "./fuzzTarget";

/** The service under fuzzing: its URL, and what would show a refused body stored anything. */
export interface FuzzTarget {
  url: string;
  /** Receipts reserved in the backlog (every stored receipt takes a place). */
  backlogSize(): number;
  /** The chain's block number (a relayed agreement is a mined transaction). */
  blockNumber(): Promise<number>;
}

export interface FuzzStats {
  bodies: number;
  ms: number;
  /** Answers per HTTP status, per error code, and bodies per generator. */
  statuses: Record<string, number>;
  codes: Record<string, number>;
  kinds: Record<string, number>;
  /** Milliseconds spent waiting for answers, per route and generator. */
  msByKind: Record<string, number>;
}

const bump = (m: Record<string, number>, k: string): void => {
  m[k] = (m[k] ?? 0) + 1;
};

function documented(code: unknown, status: number): boolean {
  return typeof code === "string" && code in ERROR_STATUS && ERROR_STATUS[code as keyof typeof ERROR_STATUS] === status;
}

/** Sends one body and checks the rules; throws (with the body's start) when one is broken. */
async function check(t: FuzzTarget, req: FuzzRequest, stats: FuzzStats, agreementAuth: string): Promise<void> {
  const backlog = t.backlogSize();
  const t0 = Date.now();
  const headers: Record<string, string> = req.contentType ? { "content-type": req.contentType } : {};
  // Agreements come with a party's token, so that the fuzzed body, not the missing token, is what is judged.
  if (req.route === "/v1/agreements") headers.authorization = agreementAuth;
  const res = await fetch(t.url + req.route, {
    method: "POST",
    headers,
    body: typeof req.body === "string" ? req.body : Buffer.from(req.body),
  });
  const text = await res.text();
  const k = `${req.route}:${req.kind}`;
  stats.msByKind[k] = (stats.msByKind[k] ?? 0) + Date.now() - t0;
  const fail = (why: string): never => {
    const shown = typeof req.body === "string" ? req.body.slice(0, 300) : `${req.body.length} bytes`;
    throw new Error(`${req.route} ${req.kind}: ${why}; answer ${res.status} ${text.slice(0, 300)}; body ${shown}`);
  };
  bump(stats.statuses, String(res.status));
  bump(stats.kinds, req.kind);
  if (res.status >= 500) fail("a 5xx");
  let json: { error?: { code?: unknown }; results?: { error?: { code?: unknown } }[] };
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    return fail("not a JSON answer");
  }
  if (res.status === 202 || res.status === 201) {
    for (const r of json.results ?? []) {
      if (r.error === undefined) continue;
      const code = r.error.code;
      if (!documented(code, ERROR_STATUS[code as keyof typeof ERROR_STATUS] ?? -1))
        fail(`undocumented item code ${String(code)}`);
      bump(stats.codes, `item:${String(code)}`);
    }
    return;
  }
  if (!documented(json.error?.code, res.status)) fail("an undocumented code or status");
  bump(stats.codes, String(json.error?.code));
  if (t.backlogSize() !== backlog) fail("refused, yet a receipt was stored");
}

/**
 * Sends `bodies` hostile bodies (seeded: `seed` replays a run), half to `POST /v1/receipts` and half to
 * `POST /v1/agreements`, and checks every answer: never a 5xx, every refusal a documented code with its
 * status (service/errors.ts), nothing stored on refusal (the backlog, after each body) and nothing mined
 * (blocks mined over the run = agreements relayed). The service must not seal a batch meanwhile — by time or
 * by size (BATCH_MAX) — or anchoring would move both.
 * Throws at the first broken rule.
 */
export async function runFuzz(
  t: FuzzTarget,
  templates: FuzzTemplates,
  bodies: number,
  seed: number,
): Promise<FuzzStats> {
  const stats: FuzzStats = { bodies: 0, ms: 0, statuses: {}, codes: {}, kinds: {}, msByKind: {} };
  const arb = fc.oneof(
    fuzzRequests("/v1/receipts", () => templates.freshReceipt()),
    fuzzRequests("/v1/agreements", () => structuredClone(templates.agreement)),
  );
  const started = Date.now();
  const blocks = await t.blockNumber();
  await fc.assert(
    fc.asyncProperty(arb, async (req) => {
      await check(t, req, stats, templates.agreementAuth);
      stats.bodies++;
    }),
    { numRuns: bodies, seed, endOnFailure: true },
  );
  stats.ms = Date.now() - started;
  // Each relayed agreement (201) is one mined transaction; a refused body that mined one shows here.
  const mined = (await t.blockNumber()) - blocks;
  if (mined !== (stats.statuses["201"] ?? 0))
    throw new Error(`${mined} blocks mined for ${stats.statuses["201"] ?? 0} 201s`);
  return stats;
}
