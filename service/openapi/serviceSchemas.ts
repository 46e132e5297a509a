import { ERROR_STATUS } from "../errors";
import { MAX_COMPLETENESS_ENTRIES } from "@repayproof/verifier";
import { array, bool, int, nullable, ref, str, strict, uint, type Schema } from "./formatSchemas";

const spread = strict({
  count: uint(),
  p50: nullable(uint()),
  p95: nullable(uint()),
  max: nullable(uint()),
  buckets: array({ type: "array", prefixItems: [uint(), uint()], minItems: 2, maxItems: 2 }),
});
const amounts = strict(
  Object.fromEntries(
    ["due", "initiated", "settled", "forwarded", "confirmed", "reversed", "compensated", "floatAtEndOfDay"].map((k) => [
      k,
      { type: "string", pattern: "^-?(0|[1-9][0-9]*)$" },
    ]),
  ),
);
const batchSummary: Record<string, Schema> = {
  stream: ref("Bytes32"),
  seq: uint(),
  root: ref("Bytes32"),
  count: uint(),
  state: { enum: ["sealed", "submitted", "anchored", "final"] },
  txHash: nullable(ref("Bytes32")),
  blockNumber: nullable(uint()),
  anchoredAt: nullable(ref("UnixTime")),
};
const alert = (type: string, fields: Record<string, Schema>): Schema => strict({ type: { const: type }, ...fields });

/** The service's own answers and request bodies (docs/api.md, "Endpoints"). */
export const SERVICE_SCHEMAS: Record<string, Schema> = {
  Error: {
    ...strict({
      error: strict(
        {
          code: { enum: Object.keys(ERROR_STATUS), description: "stable: the API (service/errors.ts)" },
          message: str("for people; may change"),
          details: { description: "machine-readable facts, e.g. `field`, `reason`, `requestId`" },
        },
        ["details"],
      ),
    }),
    description: "every 4xx/5xx answer; each response narrows `error.code` to the codes of its status",
  },
  Info: strict({
    chainId: uint(Number.MAX_SAFE_INTEGER, 1),
    rpcUrl: nullable(str("PUBLIC_RPC_URL, or RPC_URL only when it carries no secret")),
    contracts: ref("Contracts"),
    stream: ref("Bytes32"),
    operator: ref("Address"),
    confirmations: uint(),
    eip712: strict({
      receiptDomain: strict({
        name: { const: "RepayProofAnchor" },
        version: { const: "1" },
        chainId: uint(Number.MAX_SAFE_INTEGER, 1),
        verifyingContract: ref("Address"),
      }),
      receiptTypes: {
        type: "object",
        additionalProperties: array(strict({ name: str(), type: str() })),
      },
    }),
  }),
  Health: strict(
    {
      ok: bool(),
      chain: { enum: ["ok", "unreachable"] },
      halted: str("why anchoring stopped (an invariant broke)"),
      feeCapped: {
        type: "object",
        description: "{ since, seq, message, details } while an anchor is held at the fee cap",
      },
      pending: uint(),
      backlog: uint(),
      backlogMax: uint(),
    },
    ["halted", "feeCapped"],
  ),
  ReceiptsRequest: {
    oneOf: [ref("SignedReceipt"), strict({ items: array(ref("SignedReceipt"), { minItems: 1, maxItems: 1000 }) })],
  },
  Accepted: strict({ digest: ref("Bytes32"), status: ref("ReceiptStatus"), ack: ref("Ack") }),
  Submitted: { oneOf: [ref("Accepted"), ref("BatchAccepted")] },
  BatchAccepted: strict({ results: array({ oneOf: [ref("Accepted"), ref("Error")] }) }),
  ReceiptStatus: { enum: ["pending", "sealed", "submitted", "anchored", "final"] },
  BatchSummary: strict(batchSummary),
  ReceiptRecord: strict({
    digest: ref("Bytes32"),
    status: ref("ReceiptStatus"),
    receipt: ref("Receipt"),
    signature: ref("Signature"),
    ack: ref("Ack"),
    batch: nullable(ref("BatchSummary")),
  }),
  Batch: strict({ ...batchSummary, stateRoot: nullable(ref("Bytes32")), digests: array(ref("Bytes32")) }),
  Completeness: strict({
    loanId: ref("Bytes32"),
    agreementId: ref("Bytes32"),
    completeness: array(ref("CompletenessEntry"), { maxItems: MAX_COMPLETENESS_ENTRIES }),
  }),
  AgreementRequest: {
    ...strict(
      {
        agreementId: ref("Bytes32"),
        version: uint(0xffffffff, 1),
        salt: {
          description: "version 1: bytes32, agreementId = keccak256(abi.encode(platform, funder, salt)); else ignored",
        },
        terms: ref("Terms"),
        signatures: strict(
          {
            platform: ref("HexBytes"),
            funder: ref("HexBytes"),
            collector: ref("HexBytes"),
            guarantor: ref("HexBytes"),
          },
          ["collector", "guarantor"],
        ),
      },
      ["salt"],
    ),
    if: { properties: { version: { const: 1 } } },
    then: { properties: { salt: ref("Bytes32") }, required: ["salt"] },
  },
  AgreementRelayed: strict({ agreementId: ref("Bytes32"), version: uint(0xffffffff, 1), txHash: ref("Bytes32") }),
  Agreement: strict({ agreementId: ref("Bytes32"), versions: array(ref("AgreementVersion"), { minItems: 1 }) }),
  ShareRequest: strict({ share: str("<agreementId>.<loanId>.<grantee>.<expiresAt>.<signer>.<signature>") }),
  ShareCreated: strict({
    digest: ref("Bytes32"),
    share: str(),
    link: str("<service>/loan/<loanId>?share=<share>"),
    agreementId: ref("Bytes32"),
    loanId: ref("Bytes32"),
    grantee: ref("Address"),
    expiresAt: ref("UnixTime"),
    signer: ref("Address"),
    signature: ref("HexBytes"),
  }),
  ShareRevoked: strict({ digest: ref("Bytes32"), revokedAt: ref("UnixTime") }),
  Alerts: strict({
    asOf: ref("UnixTime"),
    agreements: uint(),
    counts: strict({ BREACH_OPEN: uint(), FLOAT_OVERDUE: uint(), ANCHOR_OVERDUE: uint() }),
    alerts: array({
      oneOf: [
        alert("BREACH_OPEN", {
          agreementId: ref("Bytes32"),
          loanId: ref("Bytes32"),
          installment: uint(0xffffffff),
          stage: ref("StageName"),
          responsible: nullable(str()),
          deadline: nullable(ref("UnixTime")),
          lateBySecs: uint(),
        }),
        alert("FLOAT_OVERDUE", {
          agreementId: ref("Bytes32"),
          collector: ref("Address"),
          forwardSecs: uint(0xffffffff),
          currency: uint(0xffff),
          amount: { type: "string", pattern: "^-?(0|[1-9][0-9]*)$" },
          oldestUnforwardedAt: nullable(ref("UnixTime")),
          ageSecs: nullable(int()),
        }),
        alert("ANCHOR_OVERDUE", {
          agreementId: ref("Bytes32"),
          digest: ref("Bytes32"),
          loanId: ref("Bytes32"),
          acceptedAt: ref("UnixTime"),
          anchorBy: ref("UnixTime"),
          overdueSecs: uint(),
          status: { enum: ["pending", "sealed", "submitted"] },
        }),
      ],
    }),
    nextCursor: nullable(str()),
  }),
  Reconciliation: strict({
    agreementId: ref("Bytes32"),
    from: { type: "string", pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" },
    to: { type: "string", pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" },
    asOf: ref("UnixTime"),
    collector: nullable(ref("Address")),
    forwardSecs: nullable(uint(0xffffffff)),
    loans: uint(),
    receipts: uint(),
    pending: uint(),
    days: array(
      strict({
        date: { type: "string", pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" },
        currencies: { type: "object", propertyNames: { pattern: "^[0-9]+$" }, additionalProperties: amounts },
      }),
    ),
    float: array(
      strict({
        currency: uint(0xffff),
        amount: { type: "string", pattern: "^-?(0|[1-9][0-9]*)$" },
        oldestUnforwardedAt: nullable(ref("UnixTime")),
        ageSecs: nullable(int()),
        overdue: bool(),
      }),
    ),
    nextCursor: nullable(str("the first day of the next page")),
  }),
  Stats: strict({
    agreementId: ref("Bytes32"),
    from: ref("UnixTime"),
    to: ref("UnixTime"),
    asOf: ref("UnixTime"),
    stages: array(
      strict({
        stage: ref("StageName"),
        responsible: nullable(str('an address or "borrower"; null for DUE')),
        judged: uint(),
        late: uint(),
        lateness: spread,
        openBreaches: uint(),
        backdated: uint(),
        duration: spread,
      }),
    ),
  }),
  StatsLoans: strict({
    agreementId: ref("Bytes32"),
    asOf: ref("UnixTime"),
    nextCursor: nullable(str()),
    loans: array(
      strict({
        loanId: ref("Bytes32"),
        installment: uint(0xffffffff),
        stage: ref("StageName"),
        responsible: nullable(str()),
        at: ref("UnixTime"),
        lateBySecs: uint(),
        open: bool(),
        backdated: bool(),
        duration: nullable(uint()),
      }),
    ),
  }),
};
