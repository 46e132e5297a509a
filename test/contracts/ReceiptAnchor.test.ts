import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import {
  buildTree,
  domainSeparator,
  parseReceipt,
  receiptDigest,
  receiptDomain,
  RECEIPT_TYPES,
} from "@repayproof/verifier";
import {
  AGREEMENT_ID,
  AGREEMENT_SALT,
  KIND,
  deployFixture,
  makeReceipt,
  makeTerms,
  registerAgreement,
  signAll,
  signReceipt,
  type Deployed,
  type Receipt,
} from "./helpers";

const STREAM = ethers.id("stream:operator-1");
const ROOT = ethers.id("root 0");
const STATE_ROOT = ethers.id("state root 0");
const ECRECOVER = "0x0000000000000000000000000000000000000001";
const N = BigInt("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");

async function registeredFixture(): Promise<Deployed> {
  const d = await deployFixture();
  await registerAgreement(d);
  return d;
}

/** The same signature with s replaced by n - s and v flipped: valid for ecrecover, refused as malleable. */
function malleate(signature: string): string {
  const sig = ethers.Signature.from(signature);
  const highS = N - BigInt(sig.s);
  const v = sig.v === 27 ? 28 : 27;
  return ethers.concat([sig.r, ethers.toBeHex(highS, 32), ethers.toBeHex(v, 1)]);
}

function receiptJson(r: Receipt): unknown {
  return JSON.parse(JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
}

describe("ReceiptAnchor", function () {
  describe("deployment", function () {
    it("knows its registry and gives the admin role to the given admin", async function () {
      const d = await loadFixture(deployFixture);
      expect(await d.anchor.registry()).to.equal(await d.registry.getAddress());
      expect(await d.anchor.hasRole(await d.anchor.DEFAULT_ADMIN_ROLE(), d.admin.address)).to.equal(true);
      expect(await d.anchor.ANCHORER_ROLE()).to.equal(ethers.id("ANCHORER_ROLE"));
      expect(await d.anchor.hasRole(await d.anchor.ANCHORER_ROLE(), d.admin.address)).to.equal(false);
    });
  });

  describe("anchorBatch", function () {
    it("anchors seq 0, binds the stream to its sender and emits BatchAnchored", async function () {
      const d = await loadFixture(deployFixture);
      const tx = d.anchor.connect(d.operator).anchorBatch(STREAM, 0, ROOT, 1000, STATE_ROOT);
      await expect(tx).to.emit(d.anchor, "BatchAnchored").withArgs(STREAM, 0, ROOT, 1000, STATE_ROOT);
      const mined = await (await tx).wait();
      const block = await ethers.provider.getBlock(mined!.blockNumber);
      expect(await d.anchor.anchorOf(ROOT)).to.deep.equal([
        STREAM,
        0n,
        1000n,
        BigInt(block!.timestamp),
        BigInt(mined!.blockNumber),
      ]);
      expect(await d.anchor.operatorOf(STREAM)).to.equal(d.operator.address);
      expect(await d.anchor.nextSeq(STREAM)).to.equal(1);
    });

    it("appends consecutive sequence numbers", async function () {
      const d = await loadFixture(deployFixture);
      for (let seq = 0; seq < 5; seq++) {
        await expect(
          d.anchor.connect(d.operator).anchorBatch(STREAM, seq, ethers.id(`root ${seq}`), seq + 1, STATE_ROOT),
        )
          .to.emit(d.anchor, "BatchAnchored")
          .withArgs(STREAM, seq, ethers.id(`root ${seq}`), seq + 1, STATE_ROOT);
      }
      expect(await d.anchor.nextSeq(STREAM)).to.equal(5);
      const [stream, seq, count] = await d.anchor.anchorOf(ethers.id("root 3"));
      expect([stream, seq, count]).to.deep.equal([STREAM, 3n, 4n]);
    });

    it("returns zeros for an unknown root, stream and operator", async function () {
      const d = await loadFixture(deployFixture);
      expect(await d.anchor.anchorOf(ROOT)).to.deep.equal([ethers.ZeroHash, 0n, 0n, 0n, 0n]);
      expect(await d.anchor.nextSeq(STREAM)).to.equal(0);
      expect(await d.anchor.operatorOf(STREAM)).to.equal(ethers.ZeroAddress);
    });

    it("reverts for a sender without the anchorer role (the admin included)", async function () {
      const d = await loadFixture(deployFixture);
      const role = await d.anchor.ANCHORER_ROLE();
      for (const sender of [d.outsider, d.admin]) {
        await expect(d.anchor.connect(sender).anchorBatch(STREAM, 0, ROOT, 1, STATE_ROOT))
          .to.be.revertedWithCustomError(d.anchor, "AccessControlUnauthorizedAccount")
          .withArgs(sender.address, role);
      }
    });

    it("stops an operator whose role was revoked, even on its own stream", async function () {
      const d = await loadFixture(deployFixture);
      const role = await d.anchor.ANCHORER_ROLE();
      await d.anchor.connect(d.operator).anchorBatch(STREAM, 0, ROOT, 1, STATE_ROOT);
      await d.anchor.connect(d.admin).revokeRole(role, d.operator.address);
      await expect(d.anchor.connect(d.operator).anchorBatch(STREAM, 1, ethers.id("root 1"), 1, STATE_ROOT))
        .to.be.revertedWithCustomError(d.anchor, "AccessControlUnauthorizedAccount")
        .withArgs(d.operator.address, role);
    });

    it("reverts when another anchorer appends to a bound stream, and lets it open its own", async function () {
      const d = await loadFixture(deployFixture);
      await d.anchor.connect(d.admin).grantRole(await d.anchor.ANCHORER_ROLE(), d.outsider.address);
      await d.anchor.connect(d.operator).anchorBatch(STREAM, 0, ROOT, 1, STATE_ROOT);
      await expect(d.anchor.connect(d.outsider).anchorBatch(STREAM, 1, ethers.id("root 1"), 1, STATE_ROOT))
        .to.be.revertedWithCustomError(d.anchor, "ReceiptAnchorStreamOperator")
        .withArgs(STREAM, d.operator.address, d.outsider.address);
      const other = ethers.id("stream:operator-2");
      await expect(d.anchor.connect(d.outsider).anchorBatch(other, 0, ethers.id("root 1"), 1, STATE_ROOT))
        .to.emit(d.anchor, "BatchAnchored")
        .withArgs(other, 0, ethers.id("root 1"), 1, STATE_ROOT);
      expect(await d.anchor.operatorOf(other)).to.equal(d.outsider.address);
      const [stream] = await d.anchor.anchorOf(ethers.id("root 1"));
      expect(stream).to.equal(other);
    });

    it("reverts when a new stream does not start at 0", async function () {
      const d = await loadFixture(deployFixture);
      await expect(d.anchor.connect(d.operator).anchorBatch(STREAM, 1, ROOT, 1, STATE_ROOT))
        .to.be.revertedWithCustomError(d.anchor, "ReceiptAnchorInvalidSequence")
        .withArgs(STREAM, 0, 1);
      expect(await d.anchor.operatorOf(STREAM)).to.equal(ethers.ZeroAddress);
    });

    for (const [name, given] of [
      ["skips", 2],
      ["repeats", 0],
    ] as const) {
      it(`reverts when the sequence ${name}`, async function () {
        const d = await loadFixture(deployFixture);
        await d.anchor.connect(d.operator).anchorBatch(STREAM, 0, ROOT, 1, STATE_ROOT);
        await expect(d.anchor.connect(d.operator).anchorBatch(STREAM, given, ethers.id("root 1"), 1, STATE_ROOT))
          .to.be.revertedWithCustomError(d.anchor, "ReceiptAnchorInvalidSequence")
          .withArgs(STREAM, 1, given);
      });
    }

    it("reverts when the root is already anchored, in the same stream or another", async function () {
      const d = await loadFixture(deployFixture);
      await d.anchor.connect(d.operator).anchorBatch(STREAM, 0, ROOT, 1, STATE_ROOT);
      await expect(d.anchor.connect(d.operator).anchorBatch(STREAM, 1, ROOT, 1, STATE_ROOT))
        .to.be.revertedWithCustomError(d.anchor, "ReceiptAnchorRootAlreadyAnchored")
        .withArgs(ROOT);
      const other = ethers.id("stream:operator-1b");
      await expect(d.anchor.connect(d.operator).anchorBatch(other, 0, ROOT, 1, STATE_ROOT))
        .to.be.revertedWithCustomError(d.anchor, "ReceiptAnchorRootAlreadyAnchored")
        .withArgs(ROOT);
      expect(await d.anchor.nextSeq(STREAM)).to.equal(1);
      expect(await d.anchor.operatorOf(other)).to.equal(ethers.ZeroAddress);
    });

    it("reverts for a zero stream, root, count or state root", async function () {
      const d = await loadFixture(deployFixture);
      const op = d.anchor.connect(d.operator);
      await expect(op.anchorBatch(ethers.ZeroHash, 0, ROOT, 1, STATE_ROOT)).to.be.revertedWithCustomError(
        d.anchor,
        "ReceiptAnchorZeroStream",
      );
      await expect(op.anchorBatch(STREAM, 0, ethers.ZeroHash, 1, STATE_ROOT)).to.be.revertedWithCustomError(
        d.anchor,
        "ReceiptAnchorZeroRoot",
      );
      await expect(op.anchorBatch(STREAM, 0, ROOT, 0, STATE_ROOT)).to.be.revertedWithCustomError(
        d.anchor,
        "ReceiptAnchorZeroCount",
      );
      await expect(op.anchorBatch(STREAM, 0, ROOT, 1, ethers.ZeroHash)).to.be.revertedWithCustomError(
        d.anchor,
        "ReceiptAnchorZeroStateRoot",
      );
    });
  });

  describe("hashReceipt", function () {
    it("equals ethers' TypedDataEncoder and the verifier's receiptDigest", async function () {
      const d = await loadFixture(deployFixture);
      const domain = receiptDomain(d.chainId, await d.anchor.getAddress());
      for (const r of [
        makeReceipt(d),
        makeReceipt(d, {
          kind: KIND.VOIDED,
          ref: ethers.id("voided"),
          amount: 0n,
          nonce: 0n,
          occurredAt: 0,
        }),
        makeReceipt(d, {
          amount: 2n ** 256n - 1n,
          nonce: 2n ** 64n - 1n,
          installment: 2 ** 32 - 1,
          currency: 65535,
        }),
      ]) {
        const onChain = await d.anchor.hashReceipt(r);
        expect(onChain).to.equal(ethers.TypedDataEncoder.hash(domain, RECEIPT_TYPES, r));
        expect(onChain).to.equal(receiptDigest(parseReceipt(receiptJson(r)), domainSeparator(domain)));
      }
    });
  });

  describe("recordReceipt", function () {
    it("records a receipt signed by an authorized EOA and emits ReceiptRecorded", async function () {
      const d = await loadFixture(registeredFixture);
      const r = makeReceipt(d);
      const sig = await signReceipt(d, d.channelA, r);
      const digest = await d.anchor.hashReceipt(r);
      expect(await d.anchor.recordReceipt.staticCall(r, sig)).to.equal(digest);
      const tx = d.anchor.connect(d.outsider).recordReceipt(r, sig);
      await expect(tx)
        .to.emit(d.anchor, "ReceiptRecorded")
        .withArgs(digest, AGREEMENT_ID, r.loanId, d.channelA.address, KIND.SETTLED);
      const mined = await (await tx).wait();
      const block = await ethers.provider.getBlock(mined!.blockNumber);
      expect(await d.anchor.recordOf(digest)).to.deep.equal([BigInt(block!.timestamp), BigInt(mined!.blockNumber)]);
    });

    it("returns zeros from recordOf for a digest never recorded", async function () {
      const d = await loadFixture(deployFixture);
      expect(await d.anchor.recordOf(ethers.id("nothing"))).to.deep.equal([0n, 0n]);
    });

    it("records a receipt whose attester is an EIP-1271 contract wallet", async function () {
      const d = await loadFixture(deployFixture);
      const wallet = await ethers.deployContract("ERC1271Wallet", [d.channelA.address]);
      const walletAddress = await wallet.getAddress();
      const terms = makeTerms(d, { channels: [walletAddress] });
      await d.registry.register(AGREEMENT_ID, AGREEMENT_SALT, terms, await signAll(d, AGREEMENT_ID, 1, terms));
      const r = makeReceipt(d, { attester: walletAddress });
      const digest = await d.anchor.hashReceipt(r);
      await expect(d.anchor.recordReceipt(r, await signReceipt(d, d.channelA, r)))
        .to.emit(d.anchor, "ReceiptRecorded")
        .withArgs(digest, AGREEMENT_ID, r.loanId, walletAddress, KIND.SETTLED);
      const r2 = makeReceipt(d, { attester: walletAddress, nonce: 18n });
      await expect(d.anchor.recordReceipt(r2, await signReceipt(d, d.outsider, r2)))
        .to.be.revertedWithCustomError(d.anchor, "ReceiptAnchorInvalidSignature")
        .withArgs(await d.anchor.hashReceipt(r2), walletAddress);
    });

    it("reverts when the signature is not the attester's", async function () {
      const d = await loadFixture(registeredFixture);
      const r = makeReceipt(d);
      await expect(d.anchor.recordReceipt(r, await signReceipt(d, d.channelB, r)))
        .to.be.revertedWithCustomError(d.anchor, "ReceiptAnchorInvalidSignature")
        .withArgs(await d.anchor.hashReceipt(r), d.channelA.address);
    });

    it("reverts when the receipt was changed after signing", async function () {
      const d = await loadFixture(registeredFixture);
      const r = makeReceipt(d);
      const sig = await signReceipt(d, d.channelA, r);
      const changed = { ...r, amount: 125_001n };
      await expect(d.anchor.recordReceipt(changed, sig))
        .to.be.revertedWithCustomError(d.anchor, "ReceiptAnchorInvalidSignature")
        .withArgs(await d.anchor.hashReceipt(changed), d.channelA.address);
    });

    it("reverts for a malleable (high-s) signature that ecrecover would accept", async function () {
      const d = await loadFixture(registeredFixture);
      const r = makeReceipt(d);
      const digest = await d.anchor.hashReceipt(r);
      const high = malleate(await signReceipt(d, d.channelA, r));
      // The ecrecover precompile still recovers channel A from it: only the low-s rule refuses it.
      const input = ethers.concat([
        digest,
        ethers.toBeHex(ethers.getBytes(high)[64]!, 32),
        ethers.dataSlice(high, 0, 64),
      ]);
      const recovered = await ethers.provider.call({
        to: ECRECOVER,
        data: input,
      });
      expect(ethers.getAddress(ethers.dataSlice(recovered, 12))).to.equal(d.channelA.address);
      await expect(d.anchor.recordReceipt(r, high))
        .to.be.revertedWithCustomError(d.anchor, "ReceiptAnchorInvalidSignature")
        .withArgs(digest, d.channelA.address);
      await expect(d.anchor.recordReceipt(r, "0x"))
        .to.be.revertedWithCustomError(d.anchor, "ReceiptAnchorInvalidSignature")
        .withArgs(digest, d.channelA.address);
    });

    it("reverts when the attester may not sign the kind", async function () {
      const d = await loadFixture(registeredFixture);
      for (const r of [
        makeReceipt(d, { kind: KIND.FORWARDED }), // a channel forwarding: the collector's job
        makeReceipt(d, { kind: 9 }),
        makeReceipt(d, { kind: 0 }),
        makeReceipt(d, { agreementId: ethers.id("unknown agreement") }),
        makeReceipt(d, { attester: d.outsider.address }),
      ]) {
        const signer = r.attester === d.outsider.address ? d.outsider : d.channelA;
        await expect(d.anchor.recordReceipt(r, await signReceipt(d, signer, r)))
          .to.be.revertedWithCustomError(d.anchor, "ReceiptAnchorNotAuthorized")
          .withArgs(r.agreementId, r.attester, r.kind);
      }
    });

    it("reverts when the receipt is already recorded", async function () {
      const d = await loadFixture(registeredFixture);
      const r = makeReceipt(d);
      const sig = await signReceipt(d, d.channelA, r);
      await d.anchor.recordReceipt(r, sig);
      await expect(d.anchor.recordReceipt(r, sig))
        .to.be.revertedWithCustomError(d.anchor, "ReceiptAnchorAlreadyRecorded")
        .withArgs(await d.anchor.hashReceipt(r));
    });

    it("records a VOIDED receipt by any party of the agreement", async function () {
      const d = await loadFixture(registeredFixture);
      for (const [i, party] of [d.platform, d.funder, d.collector, d.guarantor, d.channelB].entries()) {
        const r = makeReceipt(d, {
          kind: KIND.VOIDED,
          ref: ethers.id("voided"),
          attester: party.address,
          nonce: i,
        });
        await expect(d.anchor.recordReceipt(r, await signReceipt(d, party, r))).to.emit(d.anchor, "ReceiptRecorded");
      }
    });
  });

  describe("proveReceipt", function () {
    /** A batch of 7 receipts signed by channel A, anchored; returns them with the tree. */
    async function anchoredBatchFixture() {
      const d = await registeredFixture();
      const receipts = Array.from({ length: 7 }, (_, i) => makeReceipt(d, { nonce: BigInt(100 + i) }));
      const sigs = await Promise.all(receipts.map((r) => signReceipt(d, d.channelA, r)));
      const digests = await Promise.all(receipts.map((r) => d.anchor.hashReceipt(r)));
      const tree = buildTree(digests);
      const tx = await d.anchor.connect(d.operator).anchorBatch(STREAM, 0, tree.root, receipts.length, STATE_ROOT);
      const block = await ethers.provider.getBlock((await tx.wait())!.blockNumber);
      return {
        ...d,
        receipts,
        sigs,
        digests,
        tree,
        anchoredAt: BigInt(block!.timestamp),
      };
    }

    it("returns the digest and the anchor time of an included, signed, authorized receipt", async function () {
      const b = await loadFixture(anchoredBatchFixture);
      for (const [i, r] of b.receipts.entries()) {
        const digest = b.digests[i]!;
        expect(await b.anchor.proveReceipt(r, b.sigs[i]!, b.tree.root, b.tree.proof(digest))).to.deep.equal([
          digest,
          b.anchoredAt,
        ]);
      }
    });

    it("accepts the empty proof of a one-receipt batch", async function () {
      const d = await loadFixture(registeredFixture);
      const r = makeReceipt(d);
      const digest = await d.anchor.hashReceipt(r);
      const root = buildTree([digest]).root;
      await d.anchor.connect(d.operator).anchorBatch(STREAM, 0, root, 1, STATE_ROOT);
      const [got] = await d.anchor.proveReceipt(r, await signReceipt(d, d.channelA, r), root, []);
      expect(got).to.equal(digest);
    });

    it("reverts when the root is not anchored", async function () {
      const b = await loadFixture(anchoredBatchFixture);
      const other = buildTree(b.digests.slice(0, 3));
      const digest = b.digests[0]!;
      await expect(b.anchor.proveReceipt(b.receipts[0]!, b.sigs[0]!, other.root, other.proof(digest)))
        .to.be.revertedWithCustomError(b.anchor, "ReceiptAnchorRootNotAnchored")
        .withArgs(other.root);
    });

    it("reverts when the proof is tampered with or belongs to another receipt", async function () {
      const b = await loadFixture(anchoredBatchFixture);
      const digest = b.digests[0]!;
      const proof = b.tree.proof(digest);
      const flipped = [...proof];
      flipped[1] = ethers.toBeHex(BigInt(flipped[1]!) ^ 1n, 32);
      for (const bad of [flipped, proof.slice(1), b.tree.proof(b.digests[1]!), []]) {
        await expect(b.anchor.proveReceipt(b.receipts[0]!, b.sigs[0]!, b.tree.root, bad))
          .to.be.revertedWithCustomError(b.anchor, "ReceiptAnchorNotIncluded")
          .withArgs(digest, b.tree.root);
      }
    });

    it("reverts when the signature is wrong", async function () {
      const b = await loadFixture(anchoredBatchFixture);
      const digest = b.digests[0]!;
      await expect(b.anchor.proveReceipt(b.receipts[0]!, b.sigs[1]!, b.tree.root, b.tree.proof(digest)))
        .to.be.revertedWithCustomError(b.anchor, "ReceiptAnchorInvalidSignature")
        .withArgs(digest, b.channelA.address);
    });

    it("reverts when the attester is not authorized, even if included and anchored", async function () {
      const d = await loadFixture(registeredFixture);
      const r = makeReceipt(d, { kind: KIND.CONFIRMED }); // channel A confirming: the funder's job
      const digest = await d.anchor.hashReceipt(r);
      const tree = buildTree([digest, ethers.id("another receipt")]);
      await d.anchor.connect(d.operator).anchorBatch(STREAM, 0, tree.root, 2, STATE_ROOT);
      await expect(d.anchor.proveReceipt(r, await signReceipt(d, d.channelA, r), tree.root, tree.proof(digest)))
        .to.be.revertedWithCustomError(d.anchor, "ReceiptAnchorNotAuthorized")
        .withArgs(AGREEMENT_ID, d.channelA.address, KIND.CONFIRMED);
    });
  });
});
