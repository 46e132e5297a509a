import { expect } from "chai";
import { id, Wallet } from "ethers";
import {
  ackBatchDigest,
  ackDigest,
  buildTree,
  ChainReadError,
  fromHex,
  parseBundle,
  signDigest,
  ZERO_ADDRESS,
  type Ack,
} from "@repayproof/verifier";
import {
  CHECKS,
  CheckLog,
  checkAck,
  checkFormat,
  checkInclusion,
  DEPENDS_ON,
  receiptCheckLog,
  type AckDeadline,
  type ChainReads,
} from "@repayproof/verifier/checks";

/** Unit tests of single checks, on inputs built here (the table-driven end-to-end ones are in verifyReceiptBundle.test.ts). */

const SEP = "0x" + "5e".repeat(32);
const DIGEST = id("a receipt");
const OPERATOR = new Wallet(id("operator key"));
const operatorKey = fromHex(OPERATOR.privateKey);

/** The chain reads checkAck makes, answered from memory; `operator` may also throw. */
function reads(operator: () => Promise<string>): ChainReads {
  return {
    operatorOf: operator,
    hasCode: async () => false,
    isValidErc1271: async () => false,
    latestBlockTime: async () => 2_000,
  } as unknown as ChainReads;
}
const byOperator = reads(async () => OPERATOR.address);
const subject = (ack: Ack) => ({ ack, digest: DIGEST, domainSeparator: SEP, anchor: ZERO_ADDRESS, stream: id("s") });
const single = (acceptedAt: number, anchorBy: number): Ack => ({
  acceptedAt,
  anchorBy,
  signature: signDigest(operatorKey, ackDigest(SEP, DIGEST, acceptedAt, anchorBy)),
});
const anchoredAt = (at: number): AckDeadline => ({ kind: "anchored", at });

describe("checks (unit)", function () {
  describe("CheckLog", function () {
    it("behavior: a check whose dependency did not pass is filed as skipped, naming the dependency", function () {
      const log = receiptCheckLog();
      log.add("FORMAT", { status: "pass" });
      log.add("CHAIN", { status: "fail", code: "WRONG_CHAIN", message: "x", field: "chainId" });
      expect(log.ready("DIGEST")).to.equal(true);
      log.add("DIGEST", { status: "pass" });
      expect(log.ready("SIGNATURE")).to.equal(false);
      expect(log.find("SIGNATURE")).to.deep.equal({
        check: "SIGNATURE",
        status: "skip",
        code: "DEPENDENCY_FAILED",
        message: "needs CHAIN",
      });
    });

    it("behavior: skipRest files every check not yet reported, in order; a field is kept only on fail and error", function () {
      const log = new CheckLog(CHECKS, DEPENDS_ON);
      log.add("FORMAT", { status: "fail", code: "MALFORMED_BUNDLE", message: "m", field: "proof" });
      log.skipRest();
      expect(log.checks.map((c) => c.check)).to.deep.equal([...CHECKS]);
      expect(log.checks.slice(1).every((c) => c.status === "skip" && c.field === undefined)).to.equal(true);
      log.add("ACK", { status: "pass", field: "ack.signature" });
      expect(log.checks.at(-1)).to.not.have.property("field");
    });
  });

  describe("checkFormat", function () {
    it("error: a parser's InvalidArgumentError becomes a fail with its field", function () {
      const { value, outcome } = checkFormat(parseBundle, { format: "nope" }, "MALFORMED_BUNDLE");
      expect(value).to.equal(undefined);
      expect(outcome).to.deep.include({ status: "fail", code: "MALFORMED_BUNDLE", field: "bundle.chainId" });
    });
  });

  describe("checkInclusion", function () {
    it("behavior: passes a proof to the root and fails any other with NOT_INCLUDED at proof", function () {
      const tree = buildTree([DIGEST, id("b"), id("c")]);
      expect(checkInclusion(tree.root, DIGEST, tree.proof(DIGEST))).to.deep.equal({ status: "pass" });
      expect(checkInclusion(tree.root, id("d"), tree.proof(DIGEST))).to.deep.include({
        status: "fail",
        code: "NOT_INCLUDED",
        field: "proof",
      });
    });
  });

  describe("checkAck", function () {
    it("behavior: a single Ack and an AckBatch share, both by the operator and on time, pass", async function () {
      expect((await checkAck(byOperator, subject(single(1_000, 1_100)), anchoredAt(1_050))).outcome.status).to.equal(
        "pass",
      );
      const tree = buildTree([DIGEST, id("b")]);
      const batch: Ack = {
        acceptedAt: 1_000,
        anchorBy: 1_100,
        signature: signDigest(operatorKey, ackBatchDigest(SEP, tree.root, 1_000, 1_100)),
        root: tree.root,
        proof: tree.proof(DIGEST),
      };
      expect((await checkAck(byOperator, subject(batch), anchoredAt(1_050))).outcome.status).to.equal("pass");
    });

    it("error: an AckBatch share whose proof misses the digest fails ACK_NOT_INCLUDED before any chain read", async function () {
      const tree = buildTree([id("b"), id("c")]);
      const ack: Ack = { ...single(1_000, 1_100), root: tree.root, proof: tree.proof(id("b")) };
      const unreachable = reads(() => Promise.reject(new Error("must not be read")));
      const { outcome } = await checkAck(unreachable, subject(ack), anchoredAt(1_050));
      expect(outcome).to.deep.include({ status: "fail", code: "ACK_NOT_INCLUDED", field: "ack.proof" });
    });

    it("error: a late anchor fails OPERATOR_BREACH_LATE_ANCHOR at ack.anchorBy and returns the breach", async function () {
      const late = await checkAck(byOperator, subject(single(1_000, 1_100)), anchoredAt(1_160));
      expect(late.outcome).to.deep.include({ code: "OPERATOR_BREACH_LATE_ANCHOR", field: "ack.anchorBy" });
      expect(late.breach).to.deep.equal({
        code: "OPERATOR_BREACH_LATE_ANCHOR",
        operator: OPERATOR.address,
        anchorBy: 1_100,
        anchoredAt: 1_160,
        lateBySecs: 60,
      });
      const unanchored: AckDeadline = { kind: "unanchored", now: async () => 1_500, what: "still pending" };
      const pending = await checkAck(byOperator, subject(single(1_000, 1_100)), unanchored);
      expect(pending.breach).to.include({ anchoredAt: null, lateBySecs: 400 });
    });

    it("behavior: an unknown anchor skips the deadline; an unopened stream skips only when asked to", async function () {
      const unknown = await checkAck(byOperator, subject(single(1_000, 1_100)), { kind: "unknown" });
      expect(unknown.outcome).to.deep.include({ status: "skip", code: "DEPENDENCY_FAILED" });
      const unopened = reads(async () => ZERO_ADDRESS);
      const skip = await checkAck(unopened, subject(single(1_000, 1_100)), anchoredAt(1_050), {
        skipUnopenedStream: true,
      });
      expect(skip.outcome).to.deep.include({ status: "skip", code: "DEPENDENCY_FAILED" });
      const fail = await checkAck(unopened, subject(single(1_000, 1_100)), anchoredAt(1_050));
      expect(fail.outcome).to.deep.include({ status: "fail", code: "BAD_ACK_SIGNATURE", field: "ack.signature" });
    });

    it("error: an RPC failure is an ACK error (RPC_ERROR), a revert a BAD_ACK_SIGNATURE", async function () {
      const down = reads(() => Promise.reject(new ChainReadError("transport", "socket hang up")));
      const error = await checkAck(down, subject(single(1_000, 1_100)), anchoredAt(1_050));
      expect(error.outcome).to.deep.include({ status: "error", code: "RPC_ERROR", field: "ack.signature" });
      const reverted = reads(() => Promise.reject(new ChainReadError("revert", "operatorOf reverted")));
      const fail = await checkAck(reverted, subject(single(1_000, 1_100)), anchoredAt(1_050));
      expect(fail.outcome).to.deep.include({ status: "fail", code: "BAD_ACK_SIGNATURE" });
    });
  });
});
