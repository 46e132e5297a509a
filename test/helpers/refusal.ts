import { expect } from "chai";
import { ERROR_STATUS, type ErrorCode } from "../../service/errors";

/** What a refusal looks like to these assertions (a supertest or fetch answer, normalised). */
export interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Asserts that `res` is the documented refusal `code`: its status (from service/errors.ts), the JSON error
 * body, and a `Retry-After` of at least one second on every 429 and 503.
 */
export function expectRefused(res: Answer, code: ErrorCode): void {
  const body = res.body as { error?: { code?: string } };
  expect(body?.error?.code, JSON.stringify(res.body)).to.equal(code);
  expect(res.status).to.equal(ERROR_STATUS[code]);
  if (res.status === 429 || res.status === 503) {
    const after = Number(res.headers["retry-after"]);
    expect(after, "Retry-After on a 429/503").to.be.at.least(1);
  }
}
