import {
  BUNDLE_FORMAT,
  KIND_NAMES,
  MAX_PROOF_LENGTH,
  MAX_SIGNATURE_BYTES,
  MAX_STATE_PROOF,
} from "@repayproof/verifier";
import { STAGES } from "@repayproof/verifier";

/** A JSON Schema (2020-12) node, as the document holds it. */
export type Schema = Record<string, unknown>;

/** A `$ref` to a schema of `components.schemas`. */
export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
/** `schema` or JSON null. */
export const nullable = (schema: Schema): Schema => ({ oneOf: [schema, { type: "null" }] });
/** An object with exactly these properties (all required unless listed in `optional`), nothing else. */
export function strict(properties: Record<string, Schema>, optional: readonly string[] = []): Schema {
  return {
    type: "object",
    properties,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    additionalProperties: false,
  };
}
export const uint = (maximum = Number.MAX_SAFE_INTEGER, minimum = 0): Schema => ({ type: "integer", minimum, maximum });
export const int = (): Schema => ({ type: "integer" });
export const str = (description?: string): Schema => ({ type: "string", ...(description ? { description } : {}) });
export const bool = (): Schema => ({ type: "boolean" });
export const array = (items: Schema, extra: Schema = {}): Schema => ({ type: "array", items, ...extra });

const hexBytes = { type: "string", pattern: "^0x([0-9a-fA-F]{2})*$", maxLength: 2 + 2 * MAX_SIGNATURE_BYTES };

/**
 * The wire formats of the verifier (DESIGN.md, "Fixed external formats") as JSON Schema: the same rules as
 * `@repayproof/verifier`'s parsers (parseReceipt, parseAck, parseBundle), which stay the reference.
 */
export const FORMAT_SCHEMAS: Record<string, Schema> = {
  Bytes32: { type: "string", pattern: "^0x[0-9a-fA-F]{64}$", description: "32 bytes, 0x-hex (answers: lower-case)" },
  Address: { type: "string", pattern: "^0x[0-9a-fA-F]{40}$", description: "an EVM address, any case" },
  HexBytes: hexBytes,
  Decimal: { type: "string", pattern: "^(0|[1-9][0-9]*)$", description: "an unsigned integer in decimal" },
  Signature: { ...hexBytes, minLength: 4, description: "65 bytes r‖s‖v, or what an ERC-1271 wallet accepts" },
  UnixTime: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: "unix seconds" },
  Proof: array(ref("Bytes32"), { maxItems: MAX_PROOF_LENGTH }),
  Contracts: strict({ registry: ref("Address"), anchor: ref("Address") }),
  Receipt: strict({
    agreementId: ref("Bytes32"),
    loanId: ref("Bytes32"),
    installment: uint(0xffffffff),
    kind: { ...uint(8, 1), description: KIND_NAMES.map((k, i) => `${i + 1} ${k}`).join(", ") },
    amount: {
      ...ref("Decimal"),
      maxLength: 78,
      description: "uint256 (digits bounded here, the value by the parser), minor units",
    },
    currency: { ...uint(0xffff), description: "ISO 4217 numeric" },
    channel: uint(0xff),
    externalRef: ref("Bytes32"),
    ref: ref("Bytes32"),
    occurredAt: ref("UnixTime"),
    nonce: {
      ...ref("Decimal"),
      maxLength: 20,
      description: "uint64 (digits bounded here, the value by the parser), unique per attester",
    },
    attester: ref("Address"),
  }),
  SignedReceipt: strict({ receipt: ref("Receipt"), signature: ref("Signature") }),
  Ack: {
    ...strict(
      {
        acceptedAt: ref("UnixTime"),
        anchorBy: ref("UnixTime"),
        signature: ref("Signature"),
        root: ref("Bytes32"),
        proof: ref("Proof"),
      },
      ["root", "proof"],
    ),
    dependentRequired: { root: ["proof"], proof: ["root"] },
    description: "single Ack, or (v0.2) a share of a batch Ack with root and proof",
  },
  BundleBatch: strict({
    stream: ref("Bytes32"),
    seq: uint(),
    root: ref("Bytes32"),
    count: uint(0xffffffff),
    txHash: ref("Bytes32"),
    blockNumber: uint(),
  }),
  ReceiptProofBundle: strict(
    {
      format: { const: BUNDLE_FORMAT },
      chainId: uint(Number.MAX_SAFE_INTEGER, 1),
      contracts: ref("Contracts"),
      receipt: ref("Receipt"),
      signature: ref("Signature"),
      digest: ref("Bytes32"),
      batch: ref("BundleBatch"),
      proof: ref("Proof"),
      ack: ref("Ack"),
    },
    ["ack"],
  ),
  PendingEvent: strict({
    status: { const: "pending" },
    digest: ref("Bytes32"),
    receipt: ref("Receipt"),
    signature: ref("Signature"),
    ack: ref("Ack"),
  }),
  Terms: strict({
    platform: ref("Address"),
    funder: ref("Address"),
    collector: ref("Address"),
    guarantor: ref("Address"),
    channels: array(ref("Address"), { maxItems: 256 }),
    graceSecs: uint(0xffffffff),
    settleSecs: uint(0xffffffff),
    forwardSecs: uint(0xffffffff),
    confirmSecs: uint(0xffffffff),
    reportSecs: uint(0xffffffff),
    disclosureHash: ref("Bytes32"),
  }),
  AgreementVersion: strict({
    version: uint(0xffffffff, 1),
    effectiveAt: ref("UnixTime"),
    blockNumber: uint(),
    terms: ref("Terms"),
  }),
  StageName: { enum: [...STAGES] },
  TimelineNote: strict(
    {
      code: {
        enum: [
          "VOIDED",
          "VOID_IGNORED",
          "NOT_AUTHORIZED",
          "CURRENCY_MISMATCH",
          "NO_DUE",
          "OVERPAID",
          "DATED_AFTER_ANCHOR",
        ],
      },
      digest: ref("Bytes32"),
      by: ref("Bytes32"),
      amount: ref("Decimal"),
    },
    ["digest", "by", "amount"],
  ),
  StageEvaluation: strict({
    stage: ref("StageName"),
    at: nullable(ref("UnixTime")),
    anchoredAt: nullable(ref("UnixTime")),
    deadline: nullable(ref("UnixTime")),
    late: bool(),
    lateBySecs: uint(),
    responsible: nullable(str('"borrower" or an address')),
    digest: nullable(ref("Bytes32")),
    judgedAt: nullable(ref("UnixTime")),
    backdated: bool(),
    pending: bool(),
    open: bool(),
    closedAt: nullable(ref("UnixTime")),
    version: nullable(uint(0xffffffff, 1)),
    amount: ref("Decimal"),
  }),
  InstallmentEvaluation: strict({
    installment: uint(0xffffffff),
    stages: array(ref("StageEvaluation")),
    status: { enum: ["paid", "partially paid", "overdue", "compensated", "reversed", "due"] },
    currency: nullable(uint(0xffff)),
    due: ref("Decimal"),
    settled: ref("Decimal"),
    reversed: ref("Decimal"),
    compensated: ref("Decimal"),
    notes: array(ref("TimelineNote")),
  }),
  Evaluation: strict({
    installments: array(ref("InstallmentEvaluation")),
    asOf: ref("UnixTime"),
    pendingIncluded: bool(),
    notes: array(ref("TimelineNote")),
  }),
  Timeline: strict(
    {
      format: { const: "repayproof/timeline@1" },
      chainId: uint(Number.MAX_SAFE_INTEGER, 1),
      contracts: ref("Contracts"),
      stream: ref("Bytes32"),
      loanId: ref("Bytes32"),
      agreement: strict({ id: ref("Bytes32"), versions: array(ref("AgreementVersion"), { minItems: 1 }) }),
      events: array({ oneOf: [ref("ReceiptProofBundle"), ref("PendingEvent")] }),
      evaluation: ref("Evaluation"),
      completeness: array(ref("CompletenessEntry")),
    },
    ["completeness"],
  ),
  /** v0.2 (verifier/src/formats/completeness.ts): a loan's state proof in one stream, and its digests in anchoring order. */
  CompletenessEntry: strict({
    stream: ref("Bytes32"),
    seq: uint(),
    stateRoot: ref("Bytes32"),
    count: uint(Number.MAX_SAFE_INTEGER, 1),
    head: ref("Bytes32"),
    proof: array(ref("Bytes32"), { maxItems: MAX_STATE_PROOF }),
    digests: array(ref("Bytes32")),
  }),
};
