import fs from "node:fs";
import { expect } from "chai";
import { ethers } from "hardhat";
import { reset } from "@nomicfoundation/hardhat-network-helpers";
import { Interface, id } from "ethers";
import {
  TIMELINE_CHECKS,
  buildTree,
  parseBundle,
  parseTimelineBundle,
  verifyTimelineBundle,
  type TimelineVerifyResult,
} from "@repayproof/verifier";
import { ACCOUNTS, T0, buildGoldenChain, flipBit, signAckBatch, type DevProvider } from "./goldenChain";
import { readGolden, TIMELINE_FIXTURE } from "./fixtureFiles";
import { buildGoldenTimeline } from "./goldenTimeline";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are edited field by field
type Json = any;

const codeOf = (r: TimelineVerifyResult, check: string): string | undefined =>
  r.checks.find((c) => c.check === check)?.code;
const fieldOf = (r: TimelineVerifyResult, check: string): string | undefined =>
  r.checks.find((c) => c.check === check)?.field;

describe("verifyTimelineBundle (golden chain)", function () {
  let timeline: Json;
  const provider = (): DevProvider => ethers.provider as unknown as DevProvider;
  const verify = (t: unknown): Promise<TimelineVerifyResult> => verifyTimelineBundle(t, { provider: provider() });
  const edit = (f: (t: Json) => void): Json => {
    const t = structuredClone(timeline);
    f(t);
    return t;
  };

  before(async function () {
    await reset();
    await buildGoldenChain(provider());
    timeline = JSON.parse(fs.readFileSync(TIMELINE_FIXTURE, "utf8"));
  });

  after(async function () {
    await reset(); // later files get a chain on wall-clock time, not ours in 2030
  });

  it("behavior: the golden chain yields exactly the committed golden timeline (npm run fixtures writes it)", async function () {
    const built = await buildGoldenTimeline(provider(), readGolden());
    expect(JSON.parse(JSON.stringify(built))).to.deep.equal(timeline);
  });

  it("behavior: the golden timeline passes every check, the pending event counted", async function () {
    const r = await verify(timeline);
    expect(r.checks.map((c) => [c.check, c.status])).to.deep.equal(TIMELINE_CHECKS.map((c) => [c, "pass"]));
    expect(r).to.include({ valid: true, inconclusive: false, now: T0 + 600 });
    expect(r.events.map((e) => [e.pending, e.valid, e.anchoredAt])).to.deep.equal([
      [false, true, T0],
      [false, true, T0],
      [false, true, T0 + 600],
      [true, true, null],
    ]);
    const forwarded = r.evaluation!.installments[0]!.stages[3]!;
    expect(forwarded).to.include({ stage: "FORWARDED", at: T0 + 900, pending: true });
  });

  it("error: MALFORMED_TIMELINE names the bad field (format, unknown field, bad event, no versions, bad asOf)", async function () {
    const cases: [Json, string][] = [
      [edit((t) => (t.format = "repayproof/timeline@2")), "format"],
      [edit((t) => (t.extra = 1)), "timeline.extra"],
      [edit((t) => (t.events[0].proof = "0x")), "events[0].proof"],
      [edit((t) => (t.events[3].receipt.amount = 5)), "events[3].receipt.amount"],
      [edit((t) => (t.events[3].status = "anchored")), "events[3].status"],
      [edit((t) => (t.agreement.versions = [])), "agreement.versions"],
      [edit((t) => (t.agreement.versions[0].terms.channels = "0x")), "agreement.versions[0].terms.channels"],
      [edit((t) => (t.evaluation.asOf = -1)), "evaluation.asOf"],
      ["not an object", "timeline"],
    ];
    for (const [input, field] of cases) {
      let caught: Json;
      try {
        parseTimelineBundle(input);
      } catch (e) {
        caught = e;
      }
      expect(caught?.code, field).to.equal("INVALID_FIELD");
      expect(caught.field, field).to.equal(field);
      const r = await verify(input);
      expect(codeOf(r, "FORMAT"), field).to.equal("MALFORMED_TIMELINE");
      expect(fieldOf(r, "FORMAT"), field).to.equal(field);
      expect(r.valid).to.equal(false);
    }
  });

  it("error: WRONG_CHAIN for another chain id, UNTRUSTED_CONTRACTS against a trusted deployment", async function () {
    expect(codeOf(await verify(edit((t) => (t.chainId = 1))), "CHAIN")).to.equal("WRONG_CHAIN");
    const r = await verifyTimelineBundle(timeline, {
      provider: provider(),
      contracts: { anchor: ACCOUNTS.outsider.address },
    });
    expect(codeOf(r, "CHAIN")).to.equal("UNTRUSTED_CONTRACTS");
  });

  it("error: EVENT_FOREIGN for an event of another loan, EVENT_INVALID for a forged one", async function () {
    const foreign = await verify(edit((t) => (t.loanId = "0x" + "11".repeat(32))));
    expect(codeOf(foreign, "EVENTS")).to.equal("EVENT_FOREIGN");
    const forged = await verify(edit((t) => (t.events[3].signature = t.events[0].signature)));
    expect(codeOf(forged, "EVENTS")).to.equal("EVENT_INVALID");
    expect(forged.events[3]!.checks.find((c) => c.check === "SIGNATURE")?.code).to.equal("BAD_SIGNATURE");
    const badAck = await verify(edit((t) => (t.events[3].ack.anchorBy += 1)));
    expect(badAck.events[3]!.checks.find((c) => c.check === "ACK")?.code).to.equal("BAD_ACK_SIGNATURE");
  });

  it("error: UNKNOWN_AGREEMENT and TERMS_MISMATCH come from the registry, not the bundle's copy", async function () {
    const unknown = await verify(
      edit((t) => {
        t.agreement.id = "0x" + "22".repeat(32);
      }),
    );
    expect(codeOf(unknown, "TERMS")).to.equal("UNKNOWN_AGREEMENT");
    const changed = await verify(edit((t) => (t.agreement.versions[0].terms.graceSecs += 1)));
    expect(codeOf(changed, "TERMS")).to.equal("TERMS_MISMATCH");
    expect(changed.termsDifferences.map((d) => d.path)).to.deep.equal(["$.agreement.versions[0].terms.graceSecs"]);
    expect(codeOf(changed, "EVALUATION")).to.equal(undefined); // recomputed from the registry: still identical
  });

  it("error: ASOF_IN_FUTURE when the service judged at a time the chain has not reached", async function () {
    const r = await verify(edit((t) => (t.evaluation.asOf = T0 + 10 ** 8)));
    expect(codeOf(r, "AS_OF")).to.equal("ASOF_IN_FUTURE");
  });

  it("error: EVALUATION_MISMATCH with the path of each changed field (late, responsible, status)", async function () {
    const r = await verify(
      edit((t) => {
        t.evaluation.installments[0].stages[2].late = true;
        t.evaluation.installments[1].status = "overdue";
      }),
    );
    expect(codeOf(r, "EVALUATION")).to.equal("EVALUATION_MISMATCH");
    expect(r.differences.map((d) => d.path)).to.deep.equal([
      "$.evaluation.installments[0].stages[2].late",
      "$.evaluation.installments[1].status",
    ]);
  });

  it("behavior: an asOf earlier than an event's anchor is recomputed at the anchor time, and differs", async function () {
    const r = await verify(edit((t) => (t.evaluation.asOf = T0)));
    expect(r.now).to.equal(T0 + 600);
    expect(codeOf(r, "EVALUATION")).to.equal("EVALUATION_MISMATCH");
    expect(r.differences.map((d) => d.path)).to.include("$.evaluation.asOf");
  });
});

describe("verifyTimelineBundle: pending events run the receipt bundle's own checks", function () {
  let timeline: Json;
  const provider = (): DevProvider => ethers.provider as unknown as DevProvider;
  const verify = (t: unknown, p: DevProvider = provider()): Promise<TimelineVerifyResult> =>
    verifyTimelineBundle(t, { provider: p });
  const pendingCheck = (r: TimelineVerifyResult, check: string) => r.events[3]!.checks.find((c) => c.check === check);

  /** The golden timeline with its pending event's Ack replaced by a share of an AckBatch over `others` too. */
  const withBatchAck = (tamper: (ack: Json) => void = () => undefined): Json => {
    const t = structuredClone(timeline);
    const pending = t.events[3];
    const tree = buildTree([pending.digest, id("another receipt of the same request"), id("and a third")]);
    const { acceptedAt, anchorBy } = pending.ack;
    const signature = signAckBatch(parseBundle(t.events[0]), tree.root, acceptedAt, anchorBy);
    pending.ack = { acceptedAt, anchorBy, signature, root: tree.root, proof: tree.proof(pending.digest) };
    tamper(pending.ack);
    return t;
  };

  /** The in-process provider, except that eth_call to `selector` fails as a dead connection would. */
  const failingCalls = (selector: string): DevProvider => {
    const inner = provider();
    return new Proxy(inner, {
      get(target, prop) {
        if (prop === "call") {
          return async (tx: { data?: string }) => {
            if (tx.data?.startsWith(selector)) throw new Error("socket hang up");
            return target.call(tx as never);
          };
        }
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  };

  before(async function () {
    await reset();
    await buildGoldenChain(provider());
    timeline = JSON.parse(fs.readFileSync(TIMELINE_FIXTURE, "utf8"));
  });

  after(async function () {
    await reset();
  });

  it("behavior: a pending event whose Ack is a share of an AckBatch verifies and counts", async function () {
    const r = await verify(withBatchAck());
    expect(r.checks.map((c) => c.status)).to.deep.equal(TIMELINE_CHECKS.map(() => "pass"));
    expect(r.events[3]!.checks.map((c) => [c.check, c.status])).to.deep.equal([
      ["DIGEST", "pass"],
      ["SIGNATURE", "pass"],
      ["ACK", "pass"],
    ]);
  });

  it("error: a pending AckBatch share whose proof does not lead to its root fails ACK with ACK_NOT_INCLUDED", async function () {
    const r = await verify(withBatchAck((ack) => (ack.proof[0] = flipBit(ack.proof[0], 31))));
    expect(pendingCheck(r, "ACK")).to.deep.include({
      status: "fail",
      code: "ACK_NOT_INCLUDED",
      field: "events[3].ack.proof",
    });
    expect(r.checks.find((c) => c.check === "EVENTS")).to.deep.include({
      status: "fail",
      code: "EVENT_INVALID",
      field: "events[3]",
    });
    expect(r.events[3]).to.include({ valid: false, counted: true }); // the receipt is genuine; its Ack is not
  });

  it("error: a pending AckBatch share with another root fails ACK, and half of one fails FORMAT", async function () {
    const r = await verify(withBatchAck((ack) => (ack.root = "0x" + "ab".repeat(32))));
    expect(pendingCheck(r, "ACK")).to.deep.include({ status: "fail", code: "ACK_NOT_INCLUDED" });
    const half = await verify(withBatchAck((ack) => delete ack.proof));
    expect(codeOf(half, "FORMAT")).to.equal("MALFORMED_TIMELINE");
    expect(fieldOf(half, "FORMAT")).to.equal("events[3].ack.proof");
  });

  it("error: an RPC failure while reading the Ack's operator is an ACK error, not a SIGNATURE one", async function () {
    const operatorOf = new Interface(["function operatorOf(bytes32) view returns (address)"]).getFunction(
      "operatorOf",
    )!.selector;
    const r = await verify(timeline, failingCalls(operatorOf));
    expect(pendingCheck(r, "SIGNATURE")).to.deep.include({ status: "pass" });
    expect(pendingCheck(r, "ACK")).to.deep.include({
      status: "error",
      code: "RPC_ERROR",
      field: "events[3].ack.signature",
    });
    expect(r.checks.find((c) => c.check === "EVENTS")).to.deep.include({ status: "error", code: "RPC_ERROR" });
    expect(codeOf(r, "EVALUATION")).to.equal("DEPENDENCY_FAILED");
    expect(r).to.include({ valid: false, inconclusive: true });
  });

  it("error: CHAIN refuses a timeline whose registry has no code (NO_CONTRACT_CODE), as for receipt bundles", async function () {
    const t = structuredClone(timeline);
    t.contracts.registry = ACCOUNTS.outsider.address;
    const r = await verify(t);
    expect(r.checks.find((c) => c.check === "CHAIN")).to.deep.include({
      status: "fail",
      code: "NO_CONTRACT_CODE",
      field: "contracts.registry",
    });
    expect(r.checks.slice(2).every((c) => c.status === "skip")).to.equal(true);
  });

  it("behavior: each failing timeline check names its field (events[i], agreement.id, evaluation.asOf, the first difference)", async function () {
    const forged = structuredClone(timeline);
    forged.events[3].signature = forged.events[0].signature;
    const r1 = await verify(forged);
    expect(fieldOf(r1, "EVENTS")).to.equal("events[3]");
    expect(pendingCheck(r1, "SIGNATURE")).to.deep.include({ code: "BAD_SIGNATURE", field: "events[3].signature" });
    const unknown = structuredClone(timeline);
    unknown.agreement.id = "0x" + "22".repeat(32);
    expect(fieldOf(await verify(unknown), "TERMS")).to.equal("agreement.id");
    const terms = structuredClone(timeline);
    terms.agreement.versions[0].terms.graceSecs += 1;
    expect(fieldOf(await verify(terms), "TERMS")).to.equal("agreement.versions[0].terms.graceSecs");
    const future = structuredClone(timeline);
    future.evaluation.asOf = T0 + 10 ** 8;
    expect(fieldOf(await verify(future), "AS_OF")).to.equal("evaluation.asOf");
    const late = structuredClone(timeline);
    late.evaluation.installments[0].stages[2].late = true;
    expect(fieldOf(await verify(late), "EVALUATION")).to.equal("evaluation.installments[0].stages[2].late");
  });
});
