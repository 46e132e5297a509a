import {
  checksumAddress,
  domainSeparator,
  parseReceipt,
  receiptDigest,
  receiptDomain,
  KIND,
  type AgreementVersion,
  type KindName,
  type Terms,
  type TimelineEvent,
} from "@repayproof/verifier";

/** Test parties: fixed, readable addresses (checksummed as the receipts and terms carry them). */
export const PLATFORM = checksumAddress("0x1000000000000000000000000000000000000001");
export const FUNDER = checksumAddress("0x2000000000000000000000000000000000000002");
export const COLLECTOR = checksumAddress("0x3000000000000000000000000000000000000003");
export const GUARANTOR = checksumAddress("0x4000000000000000000000000000000000000004");
export const CHANNEL_A = checksumAddress("0xa00000000000000000000000000000000000000a");
export const CHANNEL_B = checksumAddress("0xb00000000000000000000000000000000000000b");
export const STRANGER = checksumAddress("0x5000000000000000000000000000000000000005");

export const AGREEMENT_ID = "0x" + "a1".repeat(32);
export const LOAN_ID = "0x" + "b2".repeat(32);
const SEPARATOR = domainSeparator(receiptDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3"));

/** Round allowances so every expectation can be worked out by hand: grace 1000, settle 100, forward 200, confirm 300, report 50. */
export function terms(overrides: Partial<Terms> = {}): Terms {
  return {
    platform: PLATFORM,
    funder: FUNDER,
    collector: COLLECTOR,
    guarantor: GUARANTOR,
    channels: [CHANNEL_A, CHANNEL_B],
    graceSecs: 1000,
    settleSecs: 100,
    forwardSecs: 200,
    confirmSecs: 300,
    reportSecs: 50,
    disclosureHash: "0x" + "00".repeat(32),
    ...overrides,
  };
}

export function version(n: number, effectiveAt: number, overrides: Partial<Terms> = {}): AgreementVersion {
  return { version: n, effectiveAt, blockNumber: n, terms: terms(overrides) };
}

/** Version 1, effective at time 0. */
export const V1 = [version(1, 0)];

/** The usual signer of each kind. */
const SIGNER: Record<KindName, string> = {
  DUE: PLATFORM,
  INITIATED: CHANNEL_A,
  SETTLED: CHANNEL_A,
  FORWARDED: COLLECTOR,
  CONFIRMED: FUNDER,
  REVERSED: CHANNEL_A,
  COMPENSATED: GUARANTOR,
  VOIDED: CHANNEL_A,
};

export interface EventSpec {
  at: number;
  amount?: number | bigint;
  installment?: number;
  attester?: string;
  ref?: string;
  currency?: number;
  nonce?: number;
  /** Anchor time; default at + 10 (well within reportSecs); null = pending. */
  anchoredAt?: number | null;
  loanId?: string;
}

let nonce = 0;

/** A receipt of `kind` built through parseReceipt from literal JSON, with its real EIP-712 digest. */
export function ev(kind: KindName, spec: EventSpec): TimelineEvent {
  const receipt = parseReceipt({
    agreementId: AGREEMENT_ID,
    loanId: spec.loanId ?? LOAN_ID,
    installment: spec.installment ?? 1,
    kind: KIND[kind],
    amount: String(spec.amount ?? 1000),
    currency: spec.currency ?? 156,
    channel: kind === "INITIATED" || kind === "SETTLED" ? 2 : 0,
    externalRef: "0x" + "00".repeat(32),
    ref: spec.ref ?? "0x" + "00".repeat(32),
    occurredAt: spec.at,
    nonce: String(spec.nonce ?? ++nonce),
    attester: spec.attester ?? SIGNER[kind],
  });
  const anchoredAt = spec.anchoredAt === undefined ? spec.at + 10 : spec.anchoredAt;
  return { digest: receiptDigest(receipt, SEPARATOR), receipt, anchoredAt };
}

/** A complete on-time installment: due 10000, initiated 10500, settled 10550, forwarded 10700, confirmed 10900. */
export function onTime(installment = 1, amount = 1000): TimelineEvent[] {
  return [
    ev("DUE", { at: 10_000, amount, installment }),
    ev("INITIATED", { at: 10_500, amount, installment }),
    ev("SETTLED", { at: 10_550, amount, installment }),
    ev("FORWARDED", { at: 10_700, amount, installment }),
    ev("CONFIRMED", { at: 10_900, amount, installment }),
  ];
}
