import { readFileSync } from "node:fs";
import { expect } from "chai";
import { diffEvaluations, evaluateTimeline, parseReceipt, type AgreementVersion } from "@repayproof/verifier";
import { EVALUATION_FIXTURE } from "./fixtureFiles";

interface Fixture {
  description: string;
  input: {
    events: { digest: string; receipt: unknown; anchoredAt: number | null }[];
    versions: AgreementVersion[];
    now: number;
    includePending: boolean;
  };
  expected: unknown;
}

describe("evaluateTimeline (golden fixture)", () => {
  // Only compares: after a deliberate format change, `npm run fixtures` rewrites `expected`; review the diff.
  it("behavior: reproduces test/fixtures/timeline/loan.json field for field", () => {
    const fixture = JSON.parse(readFileSync(EVALUATION_FIXTURE, "utf8")) as Fixture;
    const { events, ...rest } = fixture.input;
    const actual = evaluateTimeline({
      ...rest,
      events: events.map((e) => ({ digest: e.digest, receipt: parseReceipt(e.receipt), anchoredAt: e.anchoredAt })),
    });
    expect(diffEvaluations(fixture.expected, actual)).to.deep.equal([]);
    expect(JSON.parse(JSON.stringify(actual))).to.deep.equal(fixture.expected);
  });
});
