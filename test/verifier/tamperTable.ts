import { id } from "ethers";
import {
  buildTree,
  parseBundle,
  parseReceipt,
  type CheckName,
  type ReceiptBundleJson,
  type VerifyCode,
} from "@repayproof/verifier";
import { ACCOUNTS, T0, flipBit, signAck, signAckBatch, signReceipt } from "./goldenChain";

/**
 * One tampered variant of a golden bundle per way a bundle can lie, each with the one check (and code) that
 * must catch it and the input field it must name; every check before it must still pass. Shared by the
 * library tests, the CLI tests and the fixture generator (test/fixtures/bundles/tampered/<name>.json).
 */
export interface Tamper {
  name: string;
  /** Golden bundle it starts from. */
  base: string;
  check: CheckName;
  code: VerifyCode;
  /** The input field the failing check names (`CheckResult.field`). */
  field: string;
  /** The receipt is still genuine and anchored (only the operator is at fault). */
  authentic?: boolean;
  /** Verify with these many confirmations instead of the default (no file is written for these). */
  confirmations?: number;
  tamper(b: ReceiptBundleJson, golden: Record<string, ReceiptBundleJson>): unknown;
}

const copy = (b: ReceiptBundleJson): ReceiptBundleJson => JSON.parse(JSON.stringify(b)) as ReceiptBundleJson;

export const TAMPERS: readonly Tamper[] = [
  {
    name: "format-proof-too-long",
    base: "settled",
    check: "FORMAT",
    code: "MALFORMED_BUNDLE",
    field: "proof",
    tamper: (b) => ({ ...copy(b), proof: new Array(65).fill(b.proof[0]) }),
  },
  {
    name: "format-amount-as-number",
    base: "settled",
    check: "FORMAT",
    code: "MALFORMED_BUNDLE",
    field: "receipt.amount",
    tamper: (b) => ({ ...copy(b), receipt: { ...b.receipt, amount: 125000 } }),
  },
  {
    name: "format-unknown-field",
    base: "settled",
    check: "FORMAT",
    code: "MALFORMED_BUNDLE",
    field: "bundle.receiptTypes",
    tamper: (b) => ({ ...copy(b), receiptTypes: { Receipt: [] } }),
  },
  {
    name: "wrong-chain",
    base: "settled",
    check: "CHAIN",
    code: "WRONG_CHAIN",
    field: "chainId",
    tamper: (b) => ({ ...copy(b), chainId: 1 }),
  },
  {
    name: "registry-without-code",
    base: "settled",
    check: "CHAIN",
    code: "NO_CONTRACT_CODE",
    field: "contracts.registry",
    tamper: (b) => ({ ...copy(b), contracts: { ...b.contracts, registry: ACCOUNTS.outsider.address } }),
  },
  {
    name: "registry-mismatch",
    base: "settled",
    check: "CHAIN",
    code: "REGISTRY_MISMATCH",
    field: "contracts.registry",
    // The ERC-1271 wallet has code but is not the anchor's registry.
    tamper: (b, g) => ({
      ...copy(b),
      contracts: { ...b.contracts, registry: g["contract-attester"]!.receipt.attester },
    }),
  },
  {
    name: "amount",
    base: "settled",
    check: "DIGEST",
    code: "DIGEST_MISMATCH",
    field: "digest",
    tamper: (b) => ({ ...copy(b), receipt: { ...b.receipt, amount: "1250000" } }),
  },
  {
    name: "signature-byte",
    base: "settled",
    check: "SIGNATURE",
    code: "BAD_SIGNATURE",
    field: "signature",
    tamper: (b) => ({ ...copy(b), signature: flipBit(b.signature, 5) }),
  },
  {
    name: "contract-attester-signature-byte",
    base: "contract-attester",
    check: "SIGNATURE",
    code: "BAD_SIGNATURE",
    field: "signature",
    tamper: (b) => ({ ...copy(b), signature: flipBit(b.signature, 40) }),
  },
  {
    // A well-signed receipt by a key that is no party of the agreement.
    name: "attester",
    base: "settled",
    check: "ROLE",
    code: "NOT_AUTHORIZED",
    field: "receipt.attester",
    tamper: (b) => {
      const receipt = parseReceipt({ ...b.receipt, attester: ACCOUNTS.outsider.address });
      const { digest, signature } = signReceipt(receipt, b.chainId, b.contracts.anchor, ACCOUNTS.outsider);
      const { ack: _ack, ...rest } = copy(b);
      return { ...rest, receipt: { ...b.receipt, attester: receipt.attester }, digest, signature };
    },
  },
  {
    name: "proof-element",
    base: "settled",
    check: "INCLUSION",
    code: "NOT_INCLUDED",
    field: "proof",
    tamper: (b) => ({ ...copy(b), proof: [flipBit(b.proof[0]!, 31), ...b.proof.slice(1)] }),
  },
  {
    // Another anchored root: it exists on chain, but this receipt is not in it.
    name: "root",
    base: "settled",
    check: "INCLUSION",
    code: "NOT_INCLUDED",
    field: "proof",
    tamper: (b, g) => ({ ...copy(b), batch: { ...b.batch, root: g["contract-attester"]!.batch.root } }),
  },
  {
    // A genuine tree holding the receipt, never anchored.
    name: "unanchored-root",
    base: "settled",
    check: "ANCHOR",
    code: "NOT_ANCHORED",
    field: "batch.root",
    tamper: (b) => {
      const tree = buildTree([b.digest, id("some other receipt")]);
      const { ack: _ack, ...rest } = copy(b);
      return { ...rest, batch: { ...b.batch, root: tree.root, count: 2 }, proof: tree.proof(b.digest) };
    },
  },
  {
    name: "anchor-seq",
    base: "settled",
    check: "ANCHOR",
    code: "ANCHOR_MISMATCH",
    field: "batch.seq",
    tamper: (b) => ({ ...copy(b), batch: { ...b.batch, seq: 1 } }),
  },
  {
    name: "too-few-confirmations",
    base: "settled",
    check: "FINALITY",
    code: "NOT_FINAL",
    field: "batch.root",
    confirmations: 1000,
    tamper: (b) => copy(b),
  },
  {
    // A forged Ack says nothing against the receipt, which stays authentic.
    name: "ack-signature-byte",
    base: "settled",
    check: "ACK",
    code: "BAD_ACK_SIGNATURE",
    field: "ack.signature",
    authentic: true,
    tamper: (b) => ({ ...copy(b), ack: { ...b.ack!, signature: flipBit(b.ack!.signature, 5) } }),
  },
  {
    // A genuine Ack, signed by the operator, promising an anchor 100 s before the one the chain records.
    name: "late-ack",
    base: "settled",
    check: "ACK",
    code: "OPERATOR_BREACH_LATE_ANCHOR",
    field: "ack.anchorBy",
    authentic: true,
    tamper: (b) => ({
      ...copy(b),
      ack: { acceptedAt: T0 - 200, anchorBy: T0 - 100, signature: signAck(parseBundle(b), T0 - 200, T0 - 100) },
    }),
  },
  {
    // v0.2 batch Ack with a root but no proof: refused, never read as a single Ack.
    name: "ack-batch-without-proof",
    base: "settled-batch-ack",
    check: "FORMAT",
    code: "MALFORMED_BUNDLE",
    field: "ack.proof",
    tamper: (b) => {
      const { proof: _proof, ...ack } = b.ack!;
      return { ...copy(b), ack };
    },
  },
  {
    name: "ack-batch-proof-too-long",
    base: "settled-batch-ack",
    check: "FORMAT",
    code: "MALFORMED_BUNDLE",
    field: "ack.proof",
    tamper: (b) => ({ ...copy(b), ack: { ...b.ack!, proof: new Array(65).fill(b.ack!.proof![0]) } }),
  },
  {
    name: "ack-batch-proof-element",
    base: "settled-batch-ack",
    check: "ACK",
    code: "ACK_NOT_INCLUDED",
    field: "ack.proof",
    authentic: true,
    tamper: (b) => ({
      ...copy(b),
      ack: { ...b.ack!, proof: [flipBit(b.ack!.proof![0]!, 31), ...b.ack!.proof!.slice(1)] },
    }),
  },
  {
    name: "ack-batch-root",
    base: "settled-batch-ack",
    check: "ACK",
    code: "ACK_NOT_INCLUDED",
    field: "ack.proof",
    authentic: true,
    tamper: (b) => ({ ...copy(b), ack: { ...b.ack!, root: flipBit(b.ack!.root!, 0) } }),
  },
  {
    // The receipt really is in this other tree, but the operator signed the request's root, not this one.
    name: "ack-batch-other-tree",
    base: "settled-batch-ack",
    check: "ACK",
    code: "BAD_ACK_SIGNATURE",
    field: "ack.signature",
    authentic: true,
    tamper: (b) => {
      const tree = buildTree([b.digest, id("a receipt of another request")]);
      return { ...copy(b), ack: { ...b.ack!, root: tree.root, proof: tree.proof(b.digest) } };
    },
  },
  {
    // The AckBatch signature presented as a single Ack: the two types never stand in for each other.
    name: "ack-batch-stripped",
    base: "settled-batch-ack",
    check: "ACK",
    code: "BAD_ACK_SIGNATURE",
    field: "ack.signature",
    authentic: true,
    tamper: (b) => {
      const { root: _root, proof: _proof, ...ack } = b.ack!;
      return { ...copy(b), ack };
    },
  },
  {
    // A genuine single-Ack signature presented with a root and proof: refused the same way.
    name: "ack-batch-single-signature",
    base: "settled-batch-ack",
    check: "ACK",
    code: "BAD_ACK_SIGNATURE",
    field: "ack.signature",
    authentic: true,
    tamper: (b, g) => ({ ...copy(b), ack: { ...b.ack!, signature: g.settled!.ack!.signature } }),
  },
  {
    // A genuine AckBatch whose deadline precedes the anchor: late exactly as a single Ack would be.
    name: "late-batch-ack",
    base: "settled-batch-ack",
    check: "ACK",
    code: "OPERATOR_BREACH_LATE_ANCHOR",
    field: "ack.anchorBy",
    authentic: true,
    tamper: (b) => ({
      ...copy(b),
      ack: {
        ...b.ack!,
        acceptedAt: T0 - 200,
        anchorBy: T0 - 100,
        signature: signAckBatch(parseBundle(b), b.ack!.root!, T0 - 200, T0 - 100),
      },
    }),
  },
];
