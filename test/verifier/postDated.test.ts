import { expect } from "chai";
import {
  buildTree,
  BUNDLE_FORMAT,
  bundleToJson,
  evaluateTimeline,
  KIND,
  MAX_DATED_AFTER_ANCHOR_S,
  readAgreementVersions,
  verifyReceiptBundle,
} from "@repayproof/verifier";
import { startChainFixture, type ChainFixture } from "../helpers/chainFixture";
import { makeParties, makeReceipt, boundId, randomId, signReceipt } from "../helpers/parties";

/**
 * A channel post-dating its receipts (so that the borrower looks late) is caught from the chain alone: a
 * receipt cannot have happened after it was anchored. The verifier fails it (ANCHOR, DATED_AFTER_ANCHOR)
 * and a timeline does not count it.
 */
describe("post-dated receipts: dated after their own anchor", function () {
  this.timeout(120_000);
  let c: ChainFixture;
  const p = makeParties();
  const agreementId = boundId(p);

  before(async function () {
    c = await startChainFixture();
    await c.registerOnChain(p, agreementId);
  });

  after(async function () {
    await c?.close();
  });

  /** A receipt dated `aheadS` after now, anchored now in a one-receipt batch, as a bundle. */
  async function anchoredBundle(aheadS: number): Promise<{ bundle: unknown; anchoredAt: number }> {
    const now = (await c.provider.getBlock("latest"))!.timestamp;
    const receipt = makeReceipt(agreementId, p.channel, KIND.SETTLED, { occurredAt: now + aheadS });
    const s = signReceipt(c.d, receipt, p.channel);
    const tree = buildTree([s.digest]);
    const stream = randomId();
    const tx = await (await c.anchor.getFunction("anchorBatch")(stream, 0, tree.root, 1, randomId())).wait();
    const anchoredAt = (await c.provider.getBlock(tx.blockNumber))!.timestamp;
    const bundle = bundleToJson({
      format: BUNDLE_FORMAT,
      chainId: c.d.chainId,
      contracts: { registry: c.d.registry, anchor: c.d.anchor },
      receipt,
      signature: s.item.signature,
      digest: s.digest,
      batch: { stream, seq: 0, root: tree.root, count: 1, txHash: tx.hash, blockNumber: tx.blockNumber },
      proof: tree.proof(s.digest),
    });
    return { bundle, anchoredAt };
  }

  it("error: ANCHOR fails with DATED_AFTER_ANCHOR, naming receipt.occurredAt, beyond the allowed skew", async function () {
    const { bundle } = await anchoredBundle(MAX_DATED_AFTER_ANCHOR_S + 3600);
    const r = await verifyReceiptBundle(bundle, { provider: c.provider });
    const anchor = r.checks.find((x) => x.check === "ANCHOR")!;
    expect(anchor).to.include({ status: "fail", code: "DATED_AFTER_ANCHOR", field: "receipt.occurredAt" });
    expect(r.valid).to.equal(false);
    expect(r.authentic).to.equal(false);
    for (const name of ["FORMAT", "CHAIN", "DIGEST", "SIGNATURE", "ROLE", "INCLUSION"]) {
      expect(r.checks.find((x) => x.check === name)!.status, name).to.equal("pass");
    }
  });

  it("behavior: within the skew (clocks differ by minutes) the receipt passes", async function () {
    const { bundle } = await anchoredBundle(60);
    const r = await verifyReceiptBundle(bundle, { provider: c.provider });
    expect(r.valid, JSON.stringify(r.checks)).to.equal(true);
  });

  it("behavior: a timeline does not count a post-dated receipt, and says so", async function () {
    const versions = (await readAgreementVersions(c.provider, c.d.registry, agreementId))!;
    const at = 1_900_000_000;
    const due = makeReceipt(agreementId, p.platform, KIND.DUE, { occurredAt: at });
    const late = makeReceipt(agreementId, p.channel, KIND.SETTLED, { occurredAt: at + 90_000 });
    const e = evaluateTimeline({
      versions,
      now: at + 1000,
      events: [
        { digest: randomId(), receipt: due, anchoredAt: at + 10 },
        { digest: "0x" + "ee".repeat(32), receipt: late, anchoredAt: at + 100 },
      ],
    });
    const inst = e.installments[0]!;
    expect(inst.notes).to.deep.include({ code: "DATED_AFTER_ANCHOR", digest: "0x" + "ee".repeat(32) });
    expect(inst.stages.find((s) => s.stage === "SETTLED")!.at).to.equal(null);
  });
});
