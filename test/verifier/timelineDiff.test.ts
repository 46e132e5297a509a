import { expect } from "chai";
import { diffEvaluations, evaluateTimeline } from "@repayproof/verifier";
import { V1, ev, onTime } from "./timelineHelpers";

describe("diffEvaluations", () => {
  it("behavior: finds nothing between an evaluation and its JSON round trip", () => {
    const e = evaluateTimeline({ events: onTime(), versions: V1, now: 20_000 });
    expect(diffEvaluations(e, JSON.parse(JSON.stringify(e)))).to.deep.equal([]);
  });

  it("behavior: names each differing field by its JSONPath, with both values", () => {
    const expected = evaluateTimeline({ events: onTime(), versions: V1, now: 20_000 });
    const late = [...onTime().slice(0, 3), ev("FORWARDED", { at: 10_800 }), ev("CONFIRMED", { at: 10_900 })];
    const actual = evaluateTimeline({ events: late, versions: V1, now: 20_000 });
    const paths = diffEvaluations(expected, actual).map((d) => d.path);
    expect(paths).to.include.members([
      "$.installments[0].stages[3].at",
      "$.installments[0].stages[3].late",
      "$.installments[0].stages[3].lateBySecs",
      "$.installments[0].stages[4].deadline",
    ]);
    expect(diffEvaluations(expected, actual).find((d) => d.path.endsWith("stages[3].lateBySecs"))).to.deep.equal({
      path: "$.installments[0].stages[3].lateBySecs",
      expected: 0,
      actual: 50,
    });
  });

  it("behavior: reports an element or key present on one side only, leaving the other side out", () => {
    expect(diffEvaluations({ installments: [1, 2] }, { installments: [1] })).to.deep.equal([
      { path: "$.installments[1]", expected: 2 },
    ]);
    expect(diffEvaluations({ a: 1 }, { a: 1, "b-c": null })).to.deep.equal([{ path: '$["b-c"]', actual: null }]);
  });

  it("behavior: tells null from a missing value and an array from an object", () => {
    expect(diffEvaluations({ a: null }, {})).to.deep.equal([{ path: "$.a", expected: null }]);
    expect(diffEvaluations({ a: [] }, { a: {} })).to.deep.equal([{ path: "$.a", expected: [], actual: {} }]);
  });
});
