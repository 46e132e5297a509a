import { JsonRpcProvider } from "ethers";
import { createVerifierCache, verifyTimelineBundle, type Evaluation } from "@repayproof/verifier";
import type { DemoHttp, Info } from "./demoClient";
import { expectedFigures } from "./expectedFigures";

/** One agreement whose figures the demo checks: its loans, and a party's token to read its stats. */
export interface StatsAgreement {
  name: string;
  agreementId: string;
  token: string;
  loanIds: string[];
}

/** The outcome: the line to print, and whether every figure equalled its recomputation. */
export interface StatsCheck {
  ok: boolean;
  line: string;
}

interface StatsBody {
  asOf: number;
  stages: ({ stage: string; responsible: string | null } & Record<string, unknown>)[];
}

/** Timelines verified at once: their chain reads overlap (the node answers while the next one is checked). */
const VERIFY_AT_ONCE = 4;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The first place `actual` differs from `expected` (a path and both values), counting the leaves that are equal. */
function firstDifference(expected: unknown, actual: unknown, at: string, count: { n: number }): string | undefined {
  if (typeof expected === "object" && expected !== null && typeof actual === "object" && actual !== null) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const k of keys) {
      const d = firstDifference(
        (expected as Record<string, unknown>)[k],
        (actual as Record<string, unknown>)[k],
        `${at}.${k}`,
        count,
      );
      if (d) return d;
    }
    return undefined;
  }
  if (expected === actual) {
    count.n++;
    return undefined;
  }
  return `${at}: the service says ${JSON.stringify(actual)}, the timelines ${JSON.stringify(expected)}`;
}

/**
 * Issue 11's check: each loan's timeline verified against the chain, its evaluation recomputed by the verifier,
 * every figure of `GET /v1/stats` (whole history, once the index's `asOf` reaches the timelines' `now`) compared
 * with the one recomputed from those evaluations (scripts/lib/expectedFigures.ts, as the stats test does).
 */
export async function checkStats(
  http: DemoHttp,
  info: Info,
  agreements: readonly StatsAgreement[],
  timelines: ReadonlyMap<string, unknown>,
): Promise<StatsCheck> {
  const provider = new JsonRpcProvider(info.rpcUrl, undefined, { staticNetwork: true });
  // One chain-read cache for every timeline (same chain, same anchored roots), the deployment /v1/info names.
  const options = { provider, contracts: info.contracts, cache: createVerifierCache() };
  const count = { n: 0 };
  let loans = 0;
  try {
    for (const a of agreements) {
      const evaluations = new Map<string, Evaluation>();
      let now = 0;
      for (let i = 0; i < a.loanIds.length; i += VERIFY_AT_ONCE) {
        const ids = a.loanIds.slice(i, i + VERIFY_AT_ONCE);
        const results = await Promise.all(ids.map((loanId) => verifyTimelineBundle(timelines.get(loanId), options)));
        for (const [k, r] of results.entries()) {
          if (!r.valid || !r.evaluation)
            return {
              ok: false,
              line: `stats: the timeline of loan ${ids[k]} does not verify: ${JSON.stringify(r.checks)}`,
            };
          evaluations.set(ids[k] as string, r.evaluation);
          now = Math.max(now, r.now ?? 0);
        }
      }
      loans += evaluations.size;
      // The index may lag the anchors: wait until it has taken in the batch the timelines were judged at.
      let body: StatsBody | undefined;
      for (let i = 0; ; i++) {
        const res = await http<StatsBody>("GET", `/v1/stats?agreementId=${a.agreementId}`, undefined, a.token);
        if (res.status !== 200) return { ok: false, line: `stats: ${res.status} ${JSON.stringify(res.body)}` };
        body = res.body;
        if (body.asOf >= now) break;
        if (i > 600) return { ok: false, line: `stats: the index's asOf ${body.asOf} did not reach ${now} in 60 s` };
        await sleep(100);
      }
      if (body.asOf !== now)
        return { ok: false, line: `stats: agreement ${a.name}: asOf ${body.asOf}, the timelines' now ${now}` };
      const { rows } = expectedFigures(evaluations, 0, Number.MAX_SAFE_INTEGER);
      const served = Object.fromEntries(
        body.stages.map(({ stage, responsible, ...figures }) => [`${stage}|${responsible ?? ""}`, figures]),
      );
      const d = firstDifference(Object.fromEntries(rows), served, `agreement ${a.name}`, count);
      if (d) return { ok: false, line: `stats MISMATCH: ${d}` };
    }
  } finally {
    provider.destroy();
  }
  return { ok: true, line: `stats: ${count.n} figures over ${loans} loans equal the timelines' recomputation` };
}
