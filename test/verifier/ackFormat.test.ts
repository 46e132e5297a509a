import fs from "node:fs";
import { expect } from "chai";
import { bundleToJson, parseBundle, parseTimelineBundle, type InvalidArgumentError } from "@repayproof/verifier";
import { readGolden, TIMELINE_FIXTURE } from "./fixtureFiles";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are edited field by field
type Json = any;

function fieldOfError(parse: () => unknown): string | undefined {
  try {
    parse();
  } catch (e) {
    expect((e as InvalidArgumentError).code).to.equal("INVALID_FIELD");
    return (e as InvalidArgumentError).field;
  }
  return undefined;
}

describe("Ack in bundles and timelines (v0.2: single or a share of an AckBatch)", function () {
  const golden = readGolden();
  const batch = (): Json => structuredClone(golden["settled-batch-ack"]);

  it("behavior: bundleToJson(parseBundle(x)) is x for both Ack shapes, root and proof included", function () {
    for (const name of ["settled", "settled-batch-ack", "due-no-ack"]) {
      expect(bundleToJson(parseBundle(golden[name])), name).to.deep.equal(golden[name]);
    }
    expect(parseBundle(golden["settled-batch-ack"]).ack).to.have.keys(
      "acceptedAt",
      "anchorBy",
      "signature",
      "root",
      "proof",
    );
    expect(parseBundle(golden.settled).ack).to.have.keys("acceptedAt", "anchorBy", "signature");
  });

  it("error: root and proof come both or neither, the proof at most 64 bytes32, the root a bytes32", function () {
    const cases: [(ack: Json) => void, string][] = [
      [(a) => delete a.proof, "ack.proof"],
      [(a) => delete a.root, "ack.root"],
      [(a) => (a.proof = new Array(65).fill(a.proof[0])), "ack.proof"],
      [(a) => (a.proof = "0x"), "ack.proof"],
      [(a) => (a.proof[1] = "0x12"), "ack.proof[1]"],
      [(a) => (a.root = 7), "ack.root"],
      [(a) => (a.extra = true), "ack.extra"],
    ];
    for (const [edit, field] of cases) {
      const b = batch();
      edit(b.ack);
      expect(
        fieldOfError(() => parseBundle(b)),
        field,
      ).to.equal(field);
    }
  });

  it("behavior: a timeline's pending event takes the same two Ack shapes, and names its fields under events[i]", function () {
    const timeline: Json = JSON.parse(fs.readFileSync(TIMELINE_FIXTURE, "utf8"));
    const { root, proof } = golden["settled-batch-ack"]!.ack!;
    timeline.events[3].ack = { ...timeline.events[3].ack, root, proof };
    const parsed = parseTimelineBundle(timeline).events[3]!;
    expect(parsed.kind === "pending" && parsed.pending.ack.proof).to.deep.equal(proof);
    delete timeline.events[3].ack.root;
    expect(fieldOfError(() => parseTimelineBundle(timeline))).to.equal("events[3].ack.root");
  });
});
