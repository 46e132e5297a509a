import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { TypedDataEncoder, Wallet, hexlify, randomBytes } from "ethers";
import {
  ACK_BATCH_TYPES,
  ACK_TYPES,
  ackBatchDigest,
  ackDigest,
  domainSeparator,
  fromHex,
  receiptDomain,
  recoverAddress,
  toHex,
  verifyProof,
} from "@repayproof/verifier";
import { AckSigner } from "../../../service/ingest/AckSigner";

const CHAIN_ID = 31337;
const ANCHOR = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const DOMAIN = receiptDomain(CHAIN_ID, ANCHOR);
const SEPARATOR = domainSeparator(DOMAIN);
const MAX_DELAY_S = 60;
const ACCEPTED_AT = 1_767_225_600;

const digest = (): string => hexlify(randomBytes(32));

describe("AckSigner", function () {
  const operator = Wallet.createRandom();
  const signer = new AckSigner(SEPARATOR, operator.privateKey, MAX_DELAY_S);

  it("behavior: one digest gets a single Ack, recoverable to the operator with ackDigest", function () {
    const d = digest();
    const signed1 = signer.sign([d], ACCEPTED_AT);
    expect(signed1.group).to.equal(undefined);
    const ack = signed1.ack(0);
    expect(signed1.shared).to.deep.equal(ack);
    expect(Object.keys(ack).sort()).to.deep.equal(["acceptedAt", "anchorBy", "signature"]);
    expect(ack.acceptedAt).to.equal(ACCEPTED_AT);
    expect(ack.anchorBy).to.equal(ACCEPTED_AT + MAX_DELAY_S);
    const signed = ackDigest(SEPARATOR, d, ack.acceptedAt, ack.anchorBy);
    // Our digest is the EIP-712 hash ethers computes for Ack.
    expect(toHex(signed)).to.equal(
      TypedDataEncoder.hash(DOMAIN, ACK_TYPES, { digest: d, acceptedAt: ack.acceptedAt, anchorBy: ack.anchorBy }),
    );
    expect(recoverAddress(signed, ack.signature)).to.equal(operator.address);
    // …and over nothing else: another digest does not recover to the operator.
    expect(recoverAddress(ackDigest(SEPARATOR, digest(), ack.acceptedAt, ack.anchorBy), ack.signature)).to.not.equal(
      operator.address,
    );
  });

  it("behavior: several digests share one AckBatch signature, and every proof leads to the root", function () {
    const digests = Array.from({ length: 7 }, digest);
    const signedAcks = signer.sign(digests, ACCEPTED_AT);
    const { group } = signedAcks;
    const acks = digests.map((_, i) => signedAcks.ack(i));
    // What each stored record names: the shared part, without a proof (rebuilt from the group when read).
    const { proof: _proof, ...shared } = acks[0]!;
    expect(signedAcks.shared).to.deep.equal(shared);
    expect(group).to.not.equal(undefined);
    const root = group!.root;
    // The root is OpenZeppelin's StandardMerkleTree root of the digests.
    expect(root).to.equal(
      StandardMerkleTree.of(
        digests.map((x) => [x]),
        ["bytes32"],
      ).root,
    );
    expect(group).to.deep.equal({
      root,
      acceptedAt: ACCEPTED_AT,
      anchorBy: ACCEPTED_AT + MAX_DELAY_S,
      signature: acks[0]!.signature,
      digests,
    });
    const signed = ackBatchDigest(SEPARATOR, root, ACCEPTED_AT, ACCEPTED_AT + MAX_DELAY_S);
    expect(recoverAddress(signed, group!.signature)).to.equal(operator.address);
    acks.forEach((ack, i) => {
      const d = digests[i]!;
      expect(ack.signature, "one signature for all").to.equal(group!.signature);
      expect(ack.root).to.equal(root);
      expect(ack.acceptedAt).to.equal(ACCEPTED_AT);
      expect(ack.anchorBy).to.equal(ACCEPTED_AT + MAX_DELAY_S);
      expect(verifyProof(root, d, ack.proof!), `proof of digest ${i}`).to.equal(true);
      expect(StandardMerkleTree.verify(root, ["bytes32"], [d], ack.proof!)).to.equal(true);
      // A proof is this digest's: it does not lead another digest to the root.
      expect(verifyProof(root, digests[(i + 1) % digests.length]!, ack.proof!)).to.equal(false);
    });
    expect(verifyProof(root, digest(), acks[0]!.proof!), "a digest not accepted").to.equal(false);
  });

  it("behavior: the AckBatch digest equals ethers' TypedDataEncoder.hash with ACK_BATCH_TYPES", function () {
    for (let i = 0; i < 5; i++) {
      const root = digest();
      const acceptedAt = ACCEPTED_AT + i * 1234;
      const anchorBy = acceptedAt + MAX_DELAY_S;
      expect(toHex(ackBatchDigest(SEPARATOR, root, acceptedAt, anchorBy))).to.equal(
        TypedDataEncoder.hash(DOMAIN, ACK_BATCH_TYPES, { root, acceptedAt, anchorBy }),
      );
    }
  });

  it("behavior: the batch Ack's signature is the one ethers' signTypedData makes over AckBatch", async function () {
    const digests = [digest(), digest()];
    const { group } = signer.sign(digests, ACCEPTED_AT);
    const value = { root: group!.root, acceptedAt: ACCEPTED_AT, anchorBy: ACCEPTED_AT + MAX_DELAY_S };
    // Deterministic ECDSA (RFC 6979): the same key over the same digest gives the same signature.
    expect(group!.signature).to.equal(await operator.signTypedData(DOMAIN, ACK_BATCH_TYPES, value));
    expect(fromHex(group!.signature)).to.have.length(65);
  });
});
