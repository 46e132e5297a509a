import fs from "node:fs";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { reset } from "@nomicfoundation/hardhat-network-helpers";
import { JsonRpcProvider, TypedDataEncoder } from "ethers";
import {
  ACK_BATCH_TYPES,
  ACK_TYPES,
  CHECKS,
  ackBatchDigest,
  ackDigest,
  createVerifierCache,
  parseBundle,
  receiptDomain,
  receiptDomainSeparator,
  toHex,
  verifyBundleOffline,
  verifyReceiptBundle,
  type ReceiptBundleJson,
  type VerifyResult,
} from "@repayproof/verifier";
import { ACCOUNTS, buildGoldenChain, signAck, T0, type DevProvider, type GoldenChain } from "./goldenChain";
import { GOLDEN_NAMES, readGolden, tamperedFile } from "./fixtureFiles";
import { TAMPERS } from "./tamperTable";

function statusOf(r: VerifyResult, check: string): string | undefined {
  return r.checks.find((c) => c.check === check)?.status;
}

describe("verifyReceiptBundle", function () {
  let chain: GoldenChain;
  let golden: Record<string, ReceiptBundleJson>;
  const provider = (): DevProvider => ethers.provider as unknown as DevProvider;

  before(async function () {
    // A fresh chain, so the deployer's nonces (and so every address) are those of the committed files.
    await reset();
    chain = await buildGoldenChain(provider());
    golden = readGolden();
  });

  after(async function () {
    // Leave later test files a fresh chain on wall-clock time, not ours in 2030.
    await reset();
  });

  it("behavior: the rebuilt chain yields exactly the committed golden bundles (npm run fixtures writes them)", function () {
    expect(Object.keys(chain.bundles)).to.have.members([...GOLDEN_NAMES]);
    for (const name of GOLDEN_NAMES) expect(chain.bundles[name], name).to.deep.equal(golden[name]);
  });

  it("behavior: the golden Ack and AckBatch digests and signatures are ethers' TypedDataEncoder and signTypedData", async function () {
    for (const [name, types] of [
      ["settled", ACK_TYPES],
      ["settled-batch-ack", ACK_BATCH_TYPES],
    ] as const) {
      const b = parseBundle(golden[name]);
      const { acceptedAt, anchorBy, signature, root } = b.ack!;
      const domain = receiptDomain(b.chainId, b.contracts.anchor);
      const value = root === undefined ? { digest: b.digest, acceptedAt, anchorBy } : { root, acceptedAt, anchorBy };
      expect(await ACCOUNTS.operator.signTypedData(domain, types, value), name).to.equal(signature);
      const hash = TypedDataEncoder.hash(domain, types, value);
      const ours =
        root === undefined
          ? ackDigest(receiptDomainSeparator(b.chainId, b.contracts.anchor), b.digest, acceptedAt, anchorBy)
          : ackBatchDigest(receiptDomainSeparator(b.chainId, b.contracts.anchor), root, acceptedAt, anchorBy);
      expect(toHex(ours), name).to.equal(hash);
    }
  });

  for (const name of GOLDEN_NAMES) {
    it(`behavior: golden bundle ${name} passes every check`, async function () {
      const r = await verifyReceiptBundle(golden[name], { provider: provider() });
      const expected = name === "due-no-ack" ? { ACK: "skip" } : {};
      for (const c of r.checks)
        expect(c.status, `${c.check}: ${c.message}`).to.equal((expected as Record<string, string>)[c.check] ?? "pass");
      expect(r.checks.map((c) => c.check)).to.deep.equal([...CHECKS]);
      expect(r).to.include({ valid: true, authentic: true, inconclusive: false, digest: golden[name]!.digest });
      expect(r.anchor?.timestamp).to.equal(name === "contract-attester" ? T0 + 600 : T0);
      expect(r.anchor?.blockNumber).to.equal(golden[name]!.batch.blockNumber);
    });
  }

  for (const t of TAMPERS) {
    it(`error: ${t.name} fails ${t.check} with ${t.code} at ${t.field}, after every earlier check passed`, async function () {
      const input =
        t.confirmations === undefined
          ? JSON.parse(fs.readFileSync(tamperedFile(t.name), "utf8"))
          : t.tamper(golden[t.base]!, golden);
      if (t.confirmations === undefined)
        expect(input, "committed file matches the table").to.deep.equal(t.tamper(golden[t.base]!, golden));
      const r = await verifyReceiptBundle(input, { provider: provider(), confirmations: t.confirmations });
      const failed = r.checks.find((c) => c.status === "fail" || c.status === "error");
      expect(failed, JSON.stringify(r.checks)).to.deep.include({
        check: t.check,
        status: "fail",
        code: t.code,
        field: t.field,
      });
      for (const c of CHECKS.slice(0, CHECKS.indexOf(t.check))) expect(statusOf(r, c), c).to.equal("pass");
      expect(r.valid).to.equal(false);
      expect(r.authentic).to.equal(t.authentic === true);
    });
  }

  it("behavior: a late anchor is an operator breach with chain times, not a forgery", async function () {
    const late = TAMPERS.find((t) => t.name === "late-ack")!;
    const r = await verifyReceiptBundle(late.tamper(golden.settled!, golden), { provider: provider() });
    expect(r.breach).to.deep.equal({
      code: "OPERATOR_BREACH_LATE_ANCHOR",
      operator: chain.deployment.operator,
      anchorBy: T0 - 100,
      anchoredAt: T0,
      lateBySecs: 100,
    });
  });

  it("behavior: an Ack past its deadline on a never-anchored root is a breach with anchoredAt null", async function () {
    const unanchored = TAMPERS.find((t) => t.name === "unanchored-root")!;
    const b = { ...(unanchored.tamper(golden.settled!, golden) as ReceiptBundleJson), ack: golden.settled!.ack };
    const r = await verifyReceiptBundle(b, { provider: provider() });
    expect(r.checks.find((c) => c.check === "ACK")).to.deep.include({
      status: "fail",
      code: "OPERATOR_BREACH_LATE_ANCHOR",
    });
    expect(r.breach).to.include({ anchoredAt: null, anchorBy: golden.settled!.ack!.anchorBy });
    expect(r.breach!.lateBySecs).to.be.greaterThan(0);
    expect(r).to.include({ valid: false, authentic: false });
  });

  it("behavior: an Ack whose deadline has not passed passes while the root is still unanchored", async function () {
    const unanchored = TAMPERS.find((t) => t.name === "unanchored-root")!;
    const b = unanchored.tamper(golden.settled!, golden) as ReceiptBundleJson;
    const far = T0 + 10 * 365 * 86400;
    const ack = { acceptedAt: T0, anchorBy: far, signature: signAck(parseBundle(b), T0, far) };
    const r = await verifyReceiptBundle({ ...b, ack }, { provider: provider() });
    expect(r.checks.find((c) => c.check === "ANCHOR")).to.deep.include({ status: "fail", code: "NOT_ANCHORED" });
    expect(r.checks.find((c) => c.check === "ACK")).to.deep.include({ status: "pass" });
    expect(r.breach).to.equal(undefined);
  });

  it("behavior: anchor lookups are shared through the cache", async function () {
    const cache = createVerifierCache();
    await verifyReceiptBundle(golden.settled, { provider: provider(), cache });
    await verifyReceiptBundle(golden["due-no-ack"], { provider: provider(), cache });
    expect(cache.anchors.size).to.equal(1);
    const again = await verifyReceiptBundle(golden.settled, { provider: provider(), cache });
    expect(again.valid).to.equal(true);
  });

  it("error: bundles naming another deployment than the trusted one fail CHAIN with UNTRUSTED_CONTRACTS", async function () {
    const r = await verifyReceiptBundle(golden.settled, { provider: provider(), contracts: { anchor: chain.wallet } });
    expect(r.checks[1]).to.deep.include({ check: "CHAIN", status: "fail", code: "UNTRUSTED_CONTRACTS" });
    const ok = await verifyReceiptBundle(golden.settled, { provider: provider(), contracts: { ...chain.deployment } });
    expect(ok.valid).to.equal(true);
  });

  it("error: an unreachable RPC makes the result inconclusive (RPC_ERROR), never invalid", async function () {
    const dead = new JsonRpcProvider("http://127.0.0.1:9", 31337, { staticNetwork: true });
    try {
      const r = await verifyReceiptBundle(golden.settled, { provider: dead });
      expect(r.checks[1]).to.deep.include({ check: "CHAIN", status: "error", code: "RPC_ERROR" });
      expect(r).to.include({ valid: false, authentic: false, inconclusive: true });
    } finally {
      dead.destroy();
    }
  });

  it("error: any JSON value fails FORMAT with MALFORMED_BUNDLE and never throws", async function () {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (v) => {
        const r = await verifyReceiptBundle(v, { provider: provider() });
        expect(r.checks[0]).to.deep.include({ check: "FORMAT", status: "fail", code: "MALFORMED_BUNDLE" });
        expect(r.checks.slice(1).every((c) => c.status === "skip")).to.equal(true);
      }),
      { numRuns: 200 },
    );
  });

  it("error: a malformed field is named in the FORMAT message", async function () {
    const r = await verifyReceiptBundle({ ...golden.settled, digest: "0x12" }, { provider: provider() });
    expect(r.checks[0]).to.deep.include({ check: "FORMAT", code: "MALFORMED_BUNDLE" });
    expect(r.checks[0]?.message).to.match(/^digest:/);
    expect(r.checks[0]?.field).to.equal("digest");
  });

  describe("verifyBundleOffline", function () {
    it("behavior: passes FORMAT, DIGEST, SIGNATURE and INCLUSION of an EOA-signed golden bundle", function () {
      const r = verifyBundleOffline(golden.settled);
      expect(r.checks.map((c) => [c.check, c.status])).to.deep.equal([
        ["FORMAT", "pass"],
        ["DIGEST", "pass"],
        ["SIGNATURE", "pass"],
        ["INCLUSION", "pass"],
      ]);
      expect(r.valid).to.equal(true);
    });

    it("error: reports the offline checks' codes for tampered bundles", function () {
      for (const name of ["amount", "signature-byte", "proof-element"]) {
        const t = TAMPERS.find((x) => x.name === name)!;
        const r = verifyBundleOffline(t.tamper(golden[t.base]!, golden));
        expect(
          r.checks.find((c) => c.status === "fail"),
          name,
        ).to.deep.include({ check: t.check, code: t.code });
      }
    });
  });
});
