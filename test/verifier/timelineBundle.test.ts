import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import { reset } from "@nomicfoundation/hardhat-network-helpers";
import {
  KIND,
  TIMELINE_CHECKS,
  evaluateTimeline,
  parseBundle,
  parseTimelineBundle,
  readAgreementVersions,
  receiptToJson,
  verifyTimelineBundle,
  type ReceiptBundleJson,
  type TimelineEvent,
  type TimelineVerifyResult,
} from "@repayproof/verifier";
import { ACCOUNTS, STREAM, T0, buildGoldenChain, signAck, signReceipt, type DevProvider } from "./goldenChain";
import { readGolden } from "./fixtureFiles";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are edited field by field
type Json = any;

const FIXTURE = path.join(__dirname, "..", "fixtures", "timeline-bundles", "golden.json");

/**
 * The golden timeline: the three golden receipt bundles (one loan: a DUE and a SETTLED of installment 3, a
 * SETTLED of installment 4 by an ERC-1271 wallet channel) plus a pending FORWARDED of installment 3 with the
 * operator's Ack, the registry's versions, and the evaluation at the latest anchor (T0 + 600) — what the
 * service serves for that loan, built here without a service so it is deterministic.
 */
async function buildGoldenTimeline(provider: DevProvider): Promise<Json> {
  const byName = readGolden();
  const golden = Object.values(byName);
  const first = parseBundle(golden[0]);
  const { chainId, contracts } = first;
  const forwarded = {
    ...first.receipt,
    installment: 3,
    kind: KIND.FORWARDED,
    amount: 125000n,
    channel: 0,
    occurredAt: T0 + 900,
    nonce: 90n,
    attester: ACCOUNTS.collector.address,
  };
  const signed = signReceipt(forwarded, chainId, contracts.anchor, ACCOUNTS.collector);
  const ackBase = { ...first, receipt: forwarded, digest: signed.digest };
  const pending = {
    status: "pending",
    digest: signed.digest,
    receipt: receiptToJson(forwarded),
    signature: signed.signature,
    ack: { acceptedAt: T0 + 901, anchorBy: T0 + 961, signature: signAck(ackBase, T0 + 901, T0 + 961) },
  };
  const versions = await readAgreementVersions(provider, contracts.registry, first.receipt.agreementId);
  if (!versions) throw new Error("the golden chain has no agreement");
  // The golden chain anchors the contract-attester batch 600 s after the other one.
  const anchoredAt = (b: ReceiptBundleJson): number =>
    b.digest === byName["contract-attester"]!.digest ? T0 + 600 : T0;
  const events: TimelineEvent[] = golden.map((b) => ({
    digest: b.digest,
    receipt: parseBundle(b).receipt,
    anchoredAt: anchoredAt(b),
  }));
  events.push({ digest: signed.digest, receipt: forwarded, anchoredAt: null });
  return {
    format: "repayproof/timeline@1",
    chainId,
    contracts,
    stream: STREAM,
    loanId: first.receipt.loanId,
    agreement: { id: first.receipt.agreementId, versions },
    events: [...[...golden].sort((a, b) => a.receipt.occurredAt - b.receipt.occurredAt), pending],
    evaluation: evaluateTimeline({ events, versions, now: T0 + 600, includePending: true }),
  };
}

const codeOf = (r: TimelineVerifyResult, check: string): string | undefined =>
  r.checks.find((c) => c.check === check)?.code;

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
    const built = await buildGoldenTimeline(provider());
    if (process.env.UPDATE_FIXTURES === "1") {
      fs.mkdirSync(path.dirname(FIXTURE), { recursive: true });
      fs.writeFileSync(FIXTURE, JSON.stringify(built, null, 2) + "\n");
    }
    timeline = JSON.parse(fs.readFileSync(FIXTURE, "utf8"));
    expect(JSON.parse(JSON.stringify(built))).to.deep.equal(timeline);
  });

  after(async function () {
    await reset(); // later files get a chain on wall-clock time, not ours in 2030
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
