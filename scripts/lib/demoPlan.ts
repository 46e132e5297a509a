import { AbiCoder, id, keccak256, toUtf8Bytes, type Wallet } from "ethers";
import { KIND } from "@repayproof/verifier";
import type { Expected } from "./demoSummary";

/** Allowances (seconds): small, so every delay happens in real time. */
export const ALLOW = { grace: 4, settle: 3, forward: 4, confirm: 4, report: 60 };
export const INSTALLMENTS = 2;
const INSTALLMENT_GAP_S = 12;
/** A late stage comes this much after its allowance (seconds), an on-time one at most 1 s after the earlier stage. */
const LATE_EXTRA_S = 3;

export type Scenario = Expected["scenario"];

/** A deterministic PRNG (mulberry32) from the seed: the same seed gives the same scenario. */
export function prng(seed: string): () => number {
  let a = Number.parseInt(keccak256(toUtf8Bytes(seed)).slice(2, 10), 16);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One receipt to submit once its time comes; `then` schedules what follows it. */
export interface Job {
  at: number; // ms
  kind: number;
  signer: Wallet;
  loan: Loan;
  installment: number;
  channel?: number;
  ref?: () => string;
  then?: (sentAtS: number, digest: string) => void;
}

export interface Loan {
  index: number;
  loanId: string;
  agreement: "A" | "B";
  amounts: bigint[];
}

/** The demo's parties (the platform also collects). */
export interface DemoParties {
  platform: Wallet;
  funders: { A: Wallet; B: Wallet };
  channels: Wallet[];
  guarantor: Wallet;
}

export interface PlanOptions {
  seed: string;
  runId: bigint;
  loans: number;
  /** Due times of the first installments spread over this many seconds. */
  spreadS: number;
  /** When the first installment may fall due (ms). */
  t0: number;
  rand: () => number;
  parties: DemoParties;
}

/**
 * The loans and what happens to each installment: on time, or late by the borrower, a channel or the
 * collector, one reversal and one compensation. Returns the first receipt of each installment as a job;
 * each job schedules the next one (into `jobs`) once it has been submitted, at the time it was.
 */
export function planDemo(o: PlanOptions): { loans: Loan[]; expected: Expected[]; jobs: Job[] } {
  const { rand, runId } = o;
  const { platform, funders, channels, guarantor } = o.parties;
  const loans: Loan[] = [];
  const expected: Expected[] = [];
  const jobs: Job[] = [];
  const salt = id(`${o.seed}:salt`);
  for (let i = 0; i < o.loans; i++) {
    const loan: Loan = {
      index: i,
      loanId: keccak256(AbiCoder.defaultAbiCoder().encode(["string", "bytes32"], [`loan-${runId}-${i}`, salt])),
      agreement: i % 2 === 0 ? "A" : "B",
      amounts: [],
    };
    loans.push(loan);
    const firstDue = o.t0 + Math.floor(rand() * o.spreadS * 1000);
    for (let inst = 1; inst <= INSTALLMENTS; inst++) {
      loan.amounts.push(BigInt(50_000 + Math.floor(rand() * 250_000)));
      const r = rand();
      const scenario: Scenario =
        i === 0 && inst === 1
          ? "reversal"
          : i === 1 && inst === 1
            ? "compensation"
            : r < 0.7
              ? "ontime"
              : r < 0.8
                ? "borrower"
                : r < 0.9
                  ? "channel"
                  : "collector";
      const channel = Math.floor(rand() * channels.length);
      const exp: Expected = { loanId: loan.loanId, agreement: loan.agreement, installment: inst, scenario, times: {} };
      expected.push(exp);
      const onTime = (): number => Math.floor(rand() * 2) * 1000; // 0 or 1 s
      const late = (allowance: number): number => (allowance + LATE_EXTRA_S) * 1000;
      const job = (over: Omit<Job, "loan" | "installment">): Job => ({ ...over, loan, installment: inst });
      const after = (ms: number, next: Omit<Job, "loan" | "installment" | "at">) => (sentAt: number) =>
        jobs.push(job({ ...next, at: sentAt * 1000 + ms }));
      const ch = channels[channel] as Wallet;
      let settledDigest = "";
      const confirm = after(onTime(), {
        kind: KIND.CONFIRMED,
        signer: funders[loan.agreement],
        then:
          scenario === "reversal"
            ? after(1000, { kind: KIND.REVERSED, signer: ch, channel: channel + 1, ref: () => settledDigest })
            : undefined,
      });
      const forward = after(scenario === "collector" ? late(ALLOW.forward) : onTime(), {
        kind: KIND.FORWARDED,
        signer: platform,
        ref: () => settledDigest,
        then: confirm,
      });
      const settle = after(scenario === "channel" ? late(ALLOW.settle) : onTime(), {
        kind: KIND.SETTLED,
        signer: ch,
        channel: channel + 1,
        then: (at, digest) => {
          settledDigest = digest;
          forward(at);
        },
      });
      const initiate = after(scenario === "borrower" ? late(ALLOW.grace) : onTime(), {
        kind: KIND.INITIATED,
        signer: ch,
        channel: channel + 1,
        then: settle,
      });
      const compensate = after(late(ALLOW.grace), { kind: KIND.COMPENSATED, signer: guarantor });
      jobs.push(
        job({
          at: firstDue + (inst - 1) * INSTALLMENT_GAP_S * 1000,
          kind: KIND.DUE,
          signer: platform,
          then: scenario === "compensation" ? compensate : initiate,
        }),
      );
    }
  }
  return { loans, expected, jobs };
}
