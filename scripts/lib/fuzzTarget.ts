import { Wallet, hexlify, id, randomBytes } from "ethers";
import {
  AGREEMENT_TYPES,
  agreementIdOf,
  domainSeparator,
  fromHex,
  receiptDigest,
  receiptDomain,
  receiptToJson,
  registryDomain,
  signDigest,
  ZERO_ADDRESS,
  type Receipt,
} from "@repayproof/verifier";
import { accessToken } from "./demoClient";
import type { Deployment } from "./deployContracts";

/** What the fuzzer mutates: valid bodies of both routes, against a registered agreement. */
export interface FuzzTemplates {
  /** A valid `POST /v1/receipts` item (a DUE of the registered agreement) and a maker of fresh ones. */
  receipt: { receipt: Record<string, unknown>; signature: string };
  freshReceipt(): { receipt: Record<string, unknown>; signature: string };
  /** A valid `POST /v1/agreements` body of an agreement not registered yet. */
  agreement: Record<string, unknown>;
  /**
   * The `Authorization` header of that agreement's platform (the relay takes agreements from a party of them
   * only): without it every fuzzed agreement body would stop at 401 before its fields are read.
   */
  agreementAuth: string;
}

const nowS = (): number => Math.floor(Date.now() / 1000);
const wallet = (): Wallet => new Wallet(hexlify(randomBytes(32)));

/** A signed `POST /v1/agreements` body for fresh parties (the platform, funder and collector sign), its ID bound to them. */
async function agreementBody(d: Deployment): Promise<{ body: Record<string, unknown>; platform: Wallet }> {
  const [platform, funder, collector, channel] = [wallet(), wallet(), wallet(), wallet()];
  const salt = hexlify(randomBytes(32));
  const agreementId = agreementIdOf(platform.address, funder.address, salt);
  const terms = {
    platform: platform.address,
    funder: funder.address,
    collector: collector.address,
    guarantor: ZERO_ADDRESS,
    channels: [channel.address],
    graceSecs: 86400,
    settleSecs: 3600,
    forwardSecs: 86400,
    confirmSecs: 86400,
    reportSecs: 3600,
    disclosureHash: id("disclosure v1"),
  };
  const domain = registryDomain(d.chainId, d.registry);
  const value = { agreementId, version: 1, terms };
  const sign = (w: Wallet): Promise<string> => w.signTypedData(domain, AGREEMENT_TYPES, value);
  const signatures = { platform: await sign(platform), funder: await sign(funder), collector: await sign(collector) };
  return { body: { agreementId, version: 1, salt, terms, signatures }, platform };
}

/**
 * Registers an agreement at `url` (POST /v1/agreements) and returns the fuzzer's templates: a receipt of it
 * signed by its platform, and the body of another agreement not yet registered.
 */
export async function fuzzTemplates(url: string, d: Deployment): Promise<FuzzTemplates> {
  const domain = receiptDomain(d.chainId, d.anchor);
  const separator = domainSeparator(domain);
  const registered = await agreementBody(d);
  const res = await fetch(`${url}/v1/agreements`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: await accessToken(registered.platform, domain, nowS()),
    },
    body: JSON.stringify(registered.body),
  });
  if (res.status !== 201) throw new Error(`registering the fuzz agreement: ${res.status} ${await res.text()}`);
  let nonce = BigInt(Date.now()) * 1000n;
  const freshReceipt = (): { receipt: Record<string, unknown>; signature: string } => {
    const r: Receipt = {
      agreementId: registered.body.agreementId as string,
      loanId: hexlify(randomBytes(32)),
      installment: 1,
      kind: 1,
      amount: 125000n,
      currency: 156,
      channel: 2,
      externalRef: hexlify(randomBytes(32)),
      ref: "0x" + "00".repeat(32),
      occurredAt: Math.floor(Date.now() / 1000) - 60,
      nonce: nonce++,
      attester: registered.platform.address,
    };
    const signature = signDigest(fromHex(registered.platform.privateKey), fromHex(receiptDigest(r, separator)));
    return { receipt: receiptToJson(r) as unknown as Record<string, unknown>, signature };
  };
  const other = await agreementBody(d);
  return {
    receipt: freshReceipt(),
    freshReceipt,
    agreement: other.body,
    agreementAuth: await accessToken(other.platform, domain, nowS()),
  };
}
