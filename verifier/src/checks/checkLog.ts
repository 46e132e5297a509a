import { ChainReadError } from "../chain/ChainReadError";
import type { CheckResultOf, CheckStatus } from "./types";

/**
 * The one way checks report: each check function returns an {@link Outcome} (what it found, and in which
 * field of the input), and a {@link CheckLog} files it under the check's name in the order checks run. Receipt
 * bundles, pending timeline events and timelines all use it, so a check reads the same wherever it runs.
 */

/** Codes every verification may report besides its checks' own: an RPC failure, a skipped dependency. */
export type CommonCode = "RPC_ERROR" | "DEPENDENCY_FAILED";

/** What one check found, before it is filed under its name. */
export interface Outcome<C extends string> {
  status: CheckStatus;
  code?: C | CommonCode;
  message?: string;
  /** The input field the check failed on (see {@link CheckResultOf}). */
  field?: string;
}

/** The check passed (`message` says what it saw, e.g. an anchor time). */
export function passed(message?: string): Outcome<never> {
  return message === undefined ? { status: "pass" } : { status: "pass", message };
}

/** The input is wrong at `field`: `code` says how. */
export function failed<C extends string>(code: C, message: string, field: string): Outcome<C> {
  return { status: "fail", code, message, field };
}

/** The check did not run, and says nothing about the input. */
export function skipped(code: "DEPENDENCY_FAILED", message: string): Outcome<never>;
export function skipped<C extends string>(code: C, message: string): Outcome<C>;
export function skipped(code: string, message: string): Outcome<string> {
  return { status: "skip", code, message };
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Runs a check that reads the chain. A transport failure makes it `error` (`RPC_ERROR`): the check could not
 * run, which says nothing about the input. A revert is an answer about the input (the contract it names is
 * not what it claims), so it fails with `onRevert` at `field`.
 */
export async function guard<C extends string>(
  onRevert: C,
  field: string,
  body: () => Promise<Outcome<C>>,
): Promise<Outcome<C>> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof ChainReadError && e.kind === "revert") return failed(onRevert, e.message, field);
    return { status: "error", code: "RPC_ERROR", message: messageOf(e), field };
  }
}

/**
 * Check results in the order the checks ran, and which of them passed. `dependsOn` names, for each check, the
 * checks that must have passed for it to run; `order` is every check in running order (for {@link skipRest}).
 */
export class CheckLog<N extends string, C extends string> {
  readonly checks: CheckResultOf<N, C | CommonCode>[] = [];

  constructor(
    private readonly order: readonly N[],
    private readonly dependsOn: Readonly<Partial<Record<N, readonly N[]>>>,
  ) {}

  /** Files `outcome` as the result of `check`. */
  add(check: N, outcome: Outcome<C>): void {
    const result: CheckResultOf<N, C | CommonCode> = { check, status: outcome.status };
    if (outcome.code !== undefined) result.code = outcome.code;
    if (outcome.message !== undefined) result.message = outcome.message;
    if (outcome.field !== undefined && outcome.status !== "pass" && outcome.status !== "skip") {
      result.field = outcome.field;
    }
    this.checks.push(result);
  }

  find(check: N): CheckResultOf<N, C | CommonCode> | undefined {
    return this.checks.find((c) => c.check === check);
  }

  passed(check: N): boolean {
    return this.find(check)?.status === "pass";
  }

  /** True when every dependency of `check` passed; otherwise files `check` as skipped and returns false. */
  ready(check: N): boolean {
    const missing = (this.dependsOn[check] ?? []).filter((d) => !this.passed(d));
    if (missing.length === 0) return true;
    this.add(check, skipped("DEPENDENCY_FAILED", `needs ${missing.join(", ")}`));
    return false;
  }

  /** Files every check not yet reported as skipped (after a failure that stops the verification). */
  skipRest(): void {
    for (const n of this.order) if (this.find(n) === undefined) this.ready(n);
  }
}
