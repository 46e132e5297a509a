import type { AbstractSublevel } from "abstract-level";
import type { WriteOp } from "../Store";
import type { LoanStats, StageFact, StatsDay } from "../statsRecords";
import { agreementLoanKey, statsDayKey, statsFactSuffix, type SublevelName } from "./keys";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Sub = AbstractSublevel<any, string | Buffer | Uint8Array, string, string>;

const CURSOR = /^[0-9]{12}:0x[0-9a-f]{64}:[0-9]{10}:[0-4]$/;

/** The LevelDB key of a stage fact: `agreementId:` then {@link statsFactSuffix}. */
export const statsFactKey = (agreementId: string, f: StageFact): string =>
  `${agreementId.toLowerCase()}:${statsFactSuffix(f.at, f.loanId, f.installment, f.stage)}`;

/**
 * What a stage fact's key does not say, packed (most of the index's bytes are stage facts, held twice: by time
 * and in their loan's record): `[responsible, flags, lateBy, duration]`, flags judged 1 | backdated 2 |
 * candidate 4. Values written before v0.3 are the fact's JSON object; both are read.
 */
type Packed = [responsible: string | null, flags: number, lateBy: number, duration: number | null];

const pack = (f: StageFact): Packed => [
  f.responsible,
  (f.judged ? 1 : 0) | (f.backdated ? 2 : 0) | (f.candidate ? 4 : 0),
  f.lateBy,
  f.duration,
];

/** A fact from its key's parts and its packed value, fields in the order `stageFacts` makes them. */
const unpack = (loanId: string, at: number, installment: number, stage: number, p: Packed): StageFact => ({
  loanId,
  installment,
  stage,
  responsible: p[0],
  at,
  judged: (p[1] & 1) !== 0,
  lateBy: p[2],
  backdated: (p[1] & 2) !== 0,
  candidate: (p[1] & 4) !== 0,
  duration: p[3],
});

/** The value of a stage fact's record (its key: {@link statsFactKey}). */
export const statsFactValue = (f: StageFact): string => JSON.stringify(pack(f));

/** A stage fact from its key after `agreementId:` ({@link statsFactSuffix}) and its value. */
export function statsFactOf(suffix: string, v: string): StageFact {
  if (v.startsWith("{")) return JSON.parse(v) as StageFact;
  const [at, loanId, installment, stage] = suffix.split(":");
  return unpack(loanId as string, Number(at), Number(installment), Number(stage), JSON.parse(v) as Packed);
}

/** A loan's record: facts as `[at, installment, stage, ...packed]`, events as {@link PackedEvent}. */
interface PackedLoan {
  f: [number, number, number, ...Packed][];
  e: PackedEvent[];
}

/** A loan event: `[digest, kind, installment, occurredAt, attester, amount, currency, anchoredAt, ref?]`. */
type PackedEvent = [string, number, number, number, string, string, number, number, string?];

/** The value of a loan's record. */
export function loanStatsValue(s: LoanStats): string {
  const packed: PackedLoan = {
    f: s.facts.map((f) => [f.at, f.installment, f.stage, ...pack(f)]),
    e: s.events.map((e) => {
      const row: PackedEvent = [
        e.digest,
        e.kind,
        e.installment,
        e.occurredAt,
        e.attester,
        e.amount,
        e.currency,
        e.anchoredAt,
      ];
      if (e.ref !== null) row.push(e.ref);
      return row;
    }),
  };
  return JSON.stringify(packed);
}

/** A loan's record (`loanId` lowercase, from its key); one written before v0.3 has no events (it is rebuilt). */
export function loanStatsOf(loanId: string, v: string): LoanStats {
  const parsed = JSON.parse(v) as PackedLoan | { facts: StageFact[] };
  if ("facts" in parsed) return { facts: parsed.facts, events: [] };
  return {
    facts: parsed.f.map(([at, i, k, ...p]) => unpack(loanId, at, i, k, p)),
    events: parsed.e.map(([digest, kind, installment, occurredAt, attester, amount, currency, anchoredAt, ref]) => ({
      digest,
      kind,
      installment,
      occurredAt,
      attester,
      amount,
      currency,
      ref: ref ?? null,
      anchoredAt,
    })),
  };
}

type StatsOp = Extract<WriteOp, { type: "loanStats" | "statsFact" | "statsDay" }>;

/** The sublevel, key and value (undefined for a delete) of a write to the stats index. */
export function statsEntry(op: StatsOp): [SublevelName, string, string | undefined] {
  switch (op.type) {
    case "loanStats":
      return [
        "loanStats",
        agreementLoanKey(op.agreementId, op.loanId),
        op.stats ? loanStatsValue(op.stats) : undefined,
      ];
    case "statsFact":
      return ["statsFacts", statsFactKey(op.agreementId, op.fact), op.remove ? undefined : statsFactValue(op.fact)];
    case "statsDay":
      return ["statsDays", statsDayKey(op.agreementId, op.day), op.rollup ? JSON.stringify(op.rollup) : undefined];
  }
}

/** Loans' records (the `loanStats` sublevel), read at once. */
export async function readLoanStats(
  sub: Sub,
  loans: readonly { agreementId: string; loanId: string }[],
): Promise<(LoanStats | undefined)[]> {
  if (loans.length === 0) return [];
  const values = await sub.getMany(loans.map((l) => agreementLoanKey(l.agreementId, l.loanId)));
  return values.map((v, i) => (v === undefined ? undefined : loanStatsOf(loans[i]!.loanId.toLowerCase(), v)));
}

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
  for await (const [k, v] of sub.iterator({ ...start, lt: hi })) {
    const suffix = k.slice(p.length);
    yield [suffix, statsFactOf(suffix, v)];
  }
}

/** Deletes every key of the stats sublevels. */
export async function clearSubs(subs: readonly Sub[]): Promise<void> {
  for (const s of subs) await s.clear();
}
