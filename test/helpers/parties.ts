import { Wallet, keccak256, AbiCoder, id, randomBytes, hexlify } from "ethers";
import {
  AGREEMENT_TYPES,
  agreementIdOf,
  accessDigest,
  domainSeparator,
  fromHex,
  receiptDigest,
  receiptDomain,
  receiptToJson,
  registryDomain,
  signDigest,
  ZERO_ADDRESS,
  type Receipt,
  type ReceiptJson,
  type Terms,
} from "@repayproof/verifier";
import type { Deployment } from "../../scripts/lib/deployContracts";

/** The parties of one test agreement; fresh random keys, so tests never collide on a shared chain. */
export interface Parties {
  platform: Wallet;
  funder: Wallet;
  collector: Wallet;
  channel: Wallet;
  outsider: Wallet;
  regulator: Wallet;
}

export function makeParties(): Parties {
  const w = (): Wallet => new Wallet(hexlify(randomBytes(32)));
  return { platform: w(), funder: w(), collector: w(), channel: w(), outsider: w(), regulator: w() };
}

export function termsOf(p: Parties): Terms {
  return {
    platform: p.platform.address,
    funder: p.funder.address,
    collector: p.collector.address,
    guarantor: ZERO_ADDRESS,
    channels: [p.channel.address],
    graceSecs: 86400,
    settleSecs: 3600,
    forwardSecs: 86400,
    confirmSecs: 86400,
    reportSecs: 3600,
    disclosureHash: id("disclosure v1"),
  };
}

/** The salt of each ID made by {@link boundId}, so that the helpers that register it can send it. */
const salts = new Map<string, string>();

/**
 * A fresh agreement ID bound to `p`'s platform and funder (`agreementIdOf`, the registry's rule since v0.2), its
 * salt remembered for {@link agreementBody} and the fixtures' `register`. Use it for every ID a test registers.
 */
export function boundId(p: { platform: { address: string }; funder: { address: string } }, salt?: string): string {
  const s = salt ?? hexlify(randomBytes(32));
  const agreementId = agreementIdOf(p.platform.address, p.funder.address, s);
  salts.set(agreementId, s);
  return agreementId;
}

/** The salt {@link boundId} chose for `agreementId`; throws for an ID it did not make. */
export function saltOf(agreementId: string): string {
  const salt = salts.get(agreementId.toLowerCase());
  if (salt === undefined) throw new Error(`${agreementId} was not made by boundId(parties): it cannot be registered`);
  return salt;
}

/**
 * The `POST /v1/agreements` body for version `version` of `agreementId`, signed by the parties; version 1
 * carries the salt of `agreementId` (made by {@link boundId}).
 */
export async function agreementBody(
  d: Deployment,
  p: Parties,
  agreementId: string,
  version = 1,
  terms: Terms = termsOf(p),
): Promise<Record<string, unknown>> {
  const domain = registryDomain(d.chainId, d.registry);
  const value = { agreementId, version, terms };
  return {
    agreementId,
    version,
    ...(version === 1 ? { salt: saltOf(agreementId) } : {}),
    terms,
    signatures: {
      platform: await p.platform.signTypedData(domain, AGREEMENT_TYPES, value),
      funder: await p.funder.signTypedData(domain, AGREEMENT_TYPES, value),
      collector: await p.collector.signTypedData(domain, AGREEMENT_TYPES, value),
    },
  };
}

export const randomId = (): string => hexlify(randomBytes(32));

export function loanIdOf(ref: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["string", "bytes32"], [ref, id("salt")]));
}

let nonceCounter = BigInt(Date.now()) * 1000n;

/** A receipt of `kind` by `attester` (fresh nonce unless given). */
export function makeReceipt(agreementId: string, attester: Wallet, kind: number, over: Partial<Receipt> = {}): Receipt {
  return {
    agreementId,
    loanId: loanIdOf("loan-1"),
    installment: 1,
    kind,
    amount: 125000n,
    currency: 156,
    channel: 2,
    externalRef: id("tx-" + String(nonceCounter)),
    ref: "0x" + "00".repeat(32),
    occurredAt: Math.floor(Date.now() / 1000),
    nonce: nonceCounter++,
    attester: attester.address,
    ...over,
  };
}

/** `{ receipt, signature }` signed with libsecp256k1 over the fast digest, plus the digest. */
export function signReceipt(
  d: Deployment,
  r: Receipt,
  key: Wallet,
): { item: { receipt: ReceiptJson; signature: string }; digest: string } {
  const sep = domainSeparator(receiptDomain(d.chainId, d.anchor));
  const digest = receiptDigest(r, sep);
  return {
    item: { receipt: receiptToJson(r), signature: signDigest(fromHex(key.privateKey), fromHex(digest)) },
    digest,
  };
}

/** A bearer token for `party`, valid for `ttl` seconds. */
export function bearer(d: Deployment, party: Wallet, ttl = 3600, now = Math.floor(Date.now() / 1000)): string {
  const expiresAt = now + ttl;
  const sep = domainSeparator(receiptDomain(d.chainId, d.anchor));
  return `Bearer ${party.address}.${expiresAt}.${signDigest(fromHex(party.privateKey), accessDigest(sep, party.address, expiresAt))}`;
}
