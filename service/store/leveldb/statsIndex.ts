import type { AbstractSublevel } from "abstract-level";
import type { StageFact, StatsDay } from "../statsRecords";
import { statsDayKey, statsFactSuffix } from "./keys";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Sub = AbstractSublevel<any, string | Buffer | Uint8Array, string, string>;

const CURSOR = /^[0-9]{12}:0x[0-9a-f]{64}:[0-9]{10}:[0-4]$/;

/** The LevelDB key of a stage fact: `agreementId:` then {@link statsFactSuffix}. */
export const statsFactKey = (agreementId: string, f: StageFact): string =>
  `${agreementId.toLowerCase()}:${statsFactSuffix(f.at, f.loanId, f.installment, f.stage)}`;

/** Day totals of one agreement in a day range (the `statsDays` sublevel). */
export async function* readStatsDays(
  sub: Sub,
  agreementId: string,
  from: number,
  to: number,
): AsyncIterable<[number, StatsDay]> {
  const p = agreementId.toLowerCase() + ":";
  for await (const [k, v] of sub.iterator({ gte: statsDayKey(agreementId, from), lte: statsDayKey(agreementId, to) })) {
    yield [Number(k.slice(p.length)), JSON.parse(v) as StatsDay];
  }
}

/** Stage facts of one agreement with `at` in a range, after a cursor (the `statsFacts` sublevel). */
export async function* readStatsFacts(
  sub: Sub,
  agreementId: string,
  from: number,
  to: number,
  after?: string,
): AsyncIterable<[string, StageFact]> {
  const p = agreementId.toLowerCase() + ":";
  const lo = p + String(from).padStart(12, "0");
  const hi = p + String(to).padStart(12, "0") + ";"; // ';' sorts after ':': every key at `to`
  const start = after !== undefined && CURSOR.test(after) && p + after >= lo ? { gt: p + after } : { gte: lo };
  for await (const [k, v] of sub.iterator({ ...start, lt: hi })) yield [k.slice(p.length), JSON.parse(v) as StageFact];
}

/** Deletes every key of the stats sublevels. */
export async function clearSubs(subs: readonly Sub[]): Promise<void> {
  for (const s of subs) await s.clear();
}
