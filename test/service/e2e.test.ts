import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { Contract, JsonRpcProvider, TypedDataEncoder, type InterfaceAbi } from "ethers";
import {
  RECEIPT_TYPES,
  KIND,
  ACK_BATCH_TYPES,
  ackBatchDigest,
  toHex,
  domainSeparator,
  fromHex,
  receiptDomain,
  recoverAddress,
  verifyProof,
} from "@repayproof/verifier";
import { readArtifact } from "../../scripts/lib/deployContracts";
import { allBatches, auditAnchors } from "../helpers/audit";
import { bearer, makeParties, makeReceipt, boundId, signReceipt } from "../helpers/parties";
import { startSpawnFixture, type SpawnFixture } from "../helpers/spawnFixture";
import { waitFor } from "../helpers/waitFor";

describe("service end to end (real Hardhat node, service process)", function () {
  let f: SpawnFixture;
  const p = makeParties();

  before(async function () {
    f = await startSpawnFixture({
      env: { BATCH_INTERVAL_MS: "300", BATCH_MAX: "50", REGULATORS: p.regulator.address },
    });
  });

  after(async function () {
    await f?.close();
  });

  it("registers, accepts, anchors, and serves proofs that verify against the chain", async function () {
    const { d, node } = f;
    const agreementId = boundId(p);
    await f.register(p, agreementId);

    const signed: ReturnType<typeof signReceipt>[] = [];
    for (let i = 0; i < 120; i++) {
      const who = [p.platform, p.channel, p.collector, p.funder][i % 4]!;
      const kind = [KIND.DUE, KIND.SETTLED, KIND.FORWARDED, KIND.CONFIRMED][i % 4]!;
      signed.push(signReceipt(d, makeReceipt(agreementId, who, kind, { installment: i }), who));
    }
    const acks = new Map<string, { acceptedAt: number; anchorBy: number; signature: string }>();
    for (let i = 0; i < signed.length; i += 40) {
      const res = await f.post("/v1/receipts", { items: signed.slice(i, i + 40).map((s) => s.item) });
      expect(res.status).to.equal(202);
      for (const r of res.body.results) acks.set(r.digest, r.ack);
    }
    expect(acks.size).to.equal(120);

    const info = (await f.get("/v1/info")).body;
    const auth = bearer(d, p.regulator);
    await waitFor("every receipt anchored", async () => {
      for (const s of signed) {
        const st = (await f.get(`/v1/receipts/${s.digest}`, auth)).body.status;
        if (st !== "anchored" && st !== "final") return false;
      }
      return true;
    });

    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    const anchor = new Contract(d.anchor, readArtifact("ReceiptAnchor").abi as InterfaceAbi, provider);
    const sep = domainSeparator(receiptDomain(d.chainId, d.anchor));
    try {
      for (const s of signed.filter((_, i) => i % 7 === 0)) {
        const res = await f.get(`/v1/receipts/${s.digest}/proof`, bearer(d, p.funder));
        expect(res.status).to.equal(200);
        const b = res.body;
        expect(b.format).to.equal("repayproof/receipt-proof@1");
        expect(Object.keys(b)).to.deep.equal([
          "format",
          "chainId",
          "contracts",
          "receipt",
          "signature",
          "digest",
          "batch",
          "proof",
          "ack",
        ]);
        expect(b.digest).to.equal(s.digest);
        // The digest is the EIP-712 hash ethers computes; the signature recovers to the attester.
        expect(TypedDataEncoder.hash(receiptDomain(d.chainId, d.anchor), RECEIPT_TYPES, b.receipt)).to.equal(s.digest);
        expect(recoverAddress(fromHex(s.digest), b.signature)).to.equal(b.receipt.attester);
        // The proof verifies with OpenZeppelin's library, our verifier and Solidity (proveReceipt).
        expect(StandardMerkleTree.verify(b.batch.root, ["bytes32"], [s.digest], b.proof)).to.equal(true);
        expect(verifyProof(b.batch.root, s.digest, b.proof)).to.equal(true);
        const [proved] = await anchor.getFunction("proveReceipt")(b.receipt, b.signature, b.batch.root, b.proof);
        expect(proved).to.equal(s.digest);
        const [stream, seq, count, timestamp, blockNumber] = await anchor.getFunction("anchorOf")(b.batch.root);
        expect(stream).to.equal(info.stream);
        expect(Number(seq)).to.equal(b.batch.seq);
        expect(Number(count)).to.equal(b.batch.count);
        expect(timestamp).to.not.equal(0n);
        expect(Number(blockNumber)).to.equal(b.batch.blockNumber);
        // The Ack is the operator's signature, and the same Ack the POST returned.
        expect(b.ack).to.deep.equal(acks.get(s.digest));
        // Receipts posted together share one AckBatch signature; each carries its proof to the batch Ack's root.
        expect(b.ack.root, "a batch Ack").to.be.a("string");
        expect(StandardMerkleTree.verify(b.ack.root, ["bytes32"], [s.digest], b.ack.proof)).to.equal(true);
        const signed = TypedDataEncoder.hash(receiptDomain(d.chainId, d.anchor), ACK_BATCH_TYPES, {
          root: b.ack.root,
          acceptedAt: b.ack.acceptedAt,
          anchorBy: b.ack.anchorBy,
        });
        expect(signed).to.equal(toHex(ackBatchDigest(sep, b.ack.root, b.ack.acceptedAt, b.ack.anchorBy)));
        expect(recoverAddress(fromHex(signed), b.ack.signature)).to.equal(info.operator);
      }
    } finally {
      provider.destroy();
    }

    const batches = await allBatches(f.url, info.stream);
    const seen = await auditAnchors(node.url, d, info.stream, batches);
    for (const s of signed) expect(seen.get(s.digest), s.digest).to.equal(1);
    expect(Math.max(...batches.map((b) => b.count))).to.be.at.most(50);
  });
});
