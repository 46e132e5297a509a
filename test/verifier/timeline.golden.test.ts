import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { diffEvaluations, evaluateTimeline, parseReceipt, type AgreementVersion } from "@repayproof/verifier";

const FIXTURE = path.join(__dirname, "..", "fixtures", "timeline", "loan.json");

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
  it("behavior: reproduces test/fixtures/timeline/loan.json field for field", () => {
    const fixture = JSON.parse(readFileSync(FIXTURE, "utf8")) as Fixture;
    const { events, ...rest } = fixture.input;
    const actual = evaluateTimeline({
      ...rest,
      events: events.map((e) => ({ digest: e.digest, receipt: parseReceipt(e.receipt), anchoredAt: e.anchoredAt })),
    });
    // A deliberate format change: UPDATE_GOLDEN=1 rewrites the expectation; review the diff before committing.
    if (process.env.UPDATE_GOLDEN === "1") {
      writeFileSync(FIXTURE, JSON.stringify({ ...fixture, expected: actual }, null, 2) + "\n");
    }
    expect(diffEvaluations(fixture.expected, actual)).to.deep.equal([]);
    expect(JSON.parse(JSON.stringify(actual))).to.deep.equal(fixture.expected);
  });
});
