import {
  KIND,
  evaluateTimeline,
  parseBundle,
  readAgreementVersions,
  receiptToJson,
  type ReceiptBundleJson,
  type TimelineEvent,
} from "@repayproof/verifier";
import { ACCOUNTS, STREAM, T0, signAck, signReceipt, type DevProvider } from "./goldenChain";

/** The golden bundles that are events of the golden timeline (the batch-Ack bundle repeats `settled`). */
export const TIMELINE_EVENT_NAMES = ["settled", "due-no-ack", "contract-attester"] as const;

/**
 * The golden timeline: the golden receipt bundles of one loan (a DUE and a SETTLED of installment 3, a
 * SETTLED of installment 4 by an ERC-1271 wallet channel) plus a pending FORWARDED of installment 3 with the
 * operator's Ack, the registry's versions, and the evaluation at the latest anchor (T0 + 600) — what the
 * service serves for that loan, built here without a service so it is deterministic. Needs the golden chain
 * behind `provider` (for the registry's versions) and its bundles by name.
 */
export async function buildGoldenTimeline(
  provider: DevProvider,
  byName: Record<string, ReceiptBundleJson>,
): Promise<Record<string, unknown>> {
  const golden = TIMELINE_EVENT_NAMES.map((n) => byName[n]!);
  const first = parseBundle(golden[0]);
  const { chainId, contracts } = first;
  const forwarded = {
    ...first.receipt,
    installment: 3,
    kind: KIND.FORWARDED,
    amount: 125000n,
    channel: 0,
    occurredAt: T0 + 900,
    nonce: 90n,
    attester: ACCOUNTS.collector.address,
  };
  const signed = signReceipt(forwarded, chainId, contracts.anchor, ACCOUNTS.collector);
  const ackBase = { ...first, receipt: forwarded, digest: signed.digest };
  const pending = {
    status: "pending",
    digest: signed.digest,
    receipt: receiptToJson(forwarded),
    signature: signed.signature,
    ack: { acceptedAt: T0 + 901, anchorBy: T0 + 961, signature: signAck(ackBase, T0 + 901, T0 + 961) },
  };
  const versions = await readAgreementVersions(provider, contracts.registry, first.receipt.agreementId);
  if (!versions) throw new Error("the golden chain has no agreement");
  // The golden chain anchors the contract-attester batch 600 s after the other one.
  const anchoredAt = (b: ReceiptBundleJson): number =>
    b.digest === byName["contract-attester"]!.digest ? T0 + 600 : T0;
  const events: TimelineEvent[] = golden.map((b) => ({
    digest: b.digest,
    receipt: parseBundle(b).receipt,
    anchoredAt: anchoredAt(b),
  }));
  events.push({ digest: signed.digest, receipt: forwarded, anchoredAt: null });
  return {
    format: "repayproof/timeline@1",
    chainId,
    contracts,
    stream: STREAM,
    loanId: first.receipt.loanId,
    agreement: { id: first.receipt.agreementId, versions },
    events: [...[...golden].sort((a, b) => a.receipt.occurredAt - b.receipt.occurredAt), pending],
    evaluation: evaluateTimeline({ events, versions, now: T0 + 600, includePending: true }),
  };
}
