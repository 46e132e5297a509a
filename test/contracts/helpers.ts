import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { AGREEMENT_TYPES, RECEIPT_TYPES, receiptDomain, registryDomain, ZERO_ADDRESS } from "@repayproof/verifier";
import type { AgreementRegistry, ReceiptAnchor } from "../../typechain-types";
import type { IAgreementRegistry } from "../../typechain-types/contracts/AgreementRegistry";
import type { IReceiptAnchor } from "../../typechain-types/contracts/ReceiptAnchor";

/** Shared fixtures and builders of the contract tests: one deployment, parties, signed terms and receipts. */

export type Terms = IAgreementRegistry.TermsStruct;
export type Signatures = IAgreementRegistry.SignaturesStruct;
export type Receipt = IReceiptAnchor.ReceiptStruct;
export type Signer = HardhatEthersSigner;

export const KIND = {
  DUE: 1,
  INITIATED: 2,
  SETTLED: 3,
  FORWARDED: 4,
  CONFIRMED: 5,
  REVERSED: 6,
  COMPENSATED: 7,
  VOIDED: 8,
} as const;

/** `Role` enum of IAgreementRegistry. */
export const ROLE = {
  Platform: 0,
  Funder: 1,
  Collector: 2,
  Channel: 3,
} as const;

/** The salt of {@link AGREEMENT_ID}. */
export const AGREEMENT_SALT = ethers.id("agreement:platform-x/funder-y/product-1");
/** Hardhat's default accounts 2 and 3: the fixture's platform and funder (deployFixture checks it). */
const FIXTURE_PLATFORM = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const FIXTURE_FUNDER = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

/** The agreement ID bound to `terms`' platform and funder by `salt` (the registry's rule since v0.2). */
export function idOf(terms: { platform: unknown; funder: unknown }, salt: string = AGREEMENT_SALT): string {
  return ethers.keccak256(
    ethers.AbiCoder.defaultAbiCoder().encode(["address", "address", "bytes32"], [terms.platform, terms.funder, salt]),
  );
}

/** The fixture's agreement, bound to its platform and funder by {@link AGREEMENT_SALT}. */
export const AGREEMENT_ID = idOf({ platform: FIXTURE_PLATFORM, funder: FIXTURE_FUNDER });
export const LOAN_ID = ethers.keccak256(
  ethers.AbiCoder.defaultAbiCoder().encode(["string", "bytes32"], ["loan-0001", ethers.id("salt")]),
);

export interface Parties {
  admin: Signer;
  operator: Signer;
  platform: Signer;
  funder: Signer;
  collector: Signer;
  guarantor: Signer;
  channelA: Signer;
  channelB: Signer;
  outsider: Signer;
}

export interface Deployed extends Parties {
  registry: AgreementRegistry;
  anchor: ReceiptAnchor;
  chainId: bigint;
}

/** Deploys both contracts (admin = signer 0) and grants the anchorer role to `operator`. For `loadFixture`. */
export async function deployFixture(): Promise<Deployed> {
  const signers = await ethers.getSigners();
  const at = (i: number): Signer => {
    const signer = signers[i];
    if (!signer) throw new Error("the hardhat network needs at least 9 accounts");
    return signer;
  };
  const [admin, operator, platform, funder, collector, guarantor, channelA, channelB, outsider] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8,
  ].map(at) as [Signer, Signer, Signer, Signer, Signer, Signer, Signer, Signer, Signer];
  if (platform.address !== FIXTURE_PLATFORM || funder.address !== FIXTURE_FUNDER) {
    throw new Error("AGREEMENT_ID assumes Hardhat's default accounts 2 and 3 as platform and funder");
  }
  const registry = await ethers.deployContract("AgreementRegistry", admin);
  const anchor = await ethers.deployContract("ReceiptAnchor", [await registry.getAddress(), admin.address], admin);
  await anchor.connect(admin).grantRole(await anchor.ANCHORER_ROLE(), operator.address);
  const { chainId } = await ethers.provider.getNetwork();
  return {
    registry,
    anchor,
    chainId,
    admin,
    operator,
    platform,
    funder,
    collector,
    guarantor,
    channelA,
    channelB,
    outsider,
  };
}

/** Terms naming the fixture's parties (two channels and a guarantor), with `overrides` applied. */
export function makeTerms(p: Parties, overrides: Partial<Terms> = {}): Terms {
  return {
    platform: p.platform.address,
    funder: p.funder.address,
    collector: p.collector.address,
    guarantor: p.guarantor.address,
    channels: [p.channelA.address, p.channelB.address],
    graceSecs: 3 * 86400,
    settleSecs: 86400,
    forwardSecs: 2 * 86400,
    confirmSecs: 86400,
    reportSecs: 3600,
    disclosureHash: ethers.id("disclosure v1"),
    ...overrides,
  };
}

/** One party's EIP-712 signature of `Agreement(agreementId, version, terms)` in `d.registry`'s domain. */
export async function signAgreement(
  d: Deployed,
  signer: Signer,
  agreementId: string,
  version: number,
  terms: Terms,
): Promise<string> {
  const domain = registryDomain(d.chainId, await d.registry.getAddress());
  return signer.signTypedData(domain, AGREEMENT_TYPES, {
    agreementId,
    version,
    terms,
  });
}

/** Signatures of every party the registry asks for (an empty signature where it asks none). */
export async function signAll(
  d: Deployed,
  agreementId: string,
  version: number,
  terms: Terms,
  signers: Partial<Record<keyof Signatures, Signer>> = {},
): Promise<Signatures> {
  const sign = async (role: keyof Signatures, fallback: Signer | undefined): Promise<string> => {
    const s = signers[role] ?? fallback;
    return s ? signAgreement(d, s, agreementId, version, terms) : "0x";
  };
  const hasGuarantor = terms.guarantor !== ZERO_ADDRESS;
  return {
    platform: await sign("platform", d.platform),
    funder: await sign("funder", d.funder),
    collector: await sign("collector", d.collector),
    guarantor: await sign("guarantor", hasGuarantor ? d.guarantor : undefined),
  };
}

/** Registers `terms` (default: {@link makeTerms}) as version 1 of the ID bound to their parties by `salt`. */
export async function registerAgreement(d: Deployed, terms = makeTerms(d), salt = AGREEMENT_SALT): Promise<void> {
  const agreementId = idOf(terms, salt);
  await d.registry.register(agreementId, salt, terms, await signAll(d, agreementId, 1, terms));
}

/** A SETTLED receipt attested by channel A, with `overrides` applied. */
export function makeReceipt(p: Parties, overrides: Partial<Receipt> = {}): Receipt {
  return {
    agreementId: AGREEMENT_ID,
    loanId: LOAN_ID,
    installment: 3,
    kind: KIND.SETTLED,
    amount: 125_000n,
    currency: 156,
    channel: 2,
    externalRef: ethers.id("channel-tx-42"),
    ref: ethers.ZeroHash,
    occurredAt: 1_764_400_000,
    nonce: 17n,
    attester: p.channelA.address,
    ...overrides,
  };
}

/** `signer`'s EIP-712 signature of `receipt` in `d.anchor`'s domain. */
export async function signReceipt(d: Deployed, signer: Signer, receipt: Receipt): Promise<string> {
  const domain = receiptDomain(d.chainId, await d.anchor.getAddress());
  return signer.signTypedData(domain, RECEIPT_TYPES, receipt as unknown as Record<string, unknown>);
}

/** The block time of the latest block. */
export async function latestTime(): Promise<number> {
  const block = await ethers.provider.getBlock("latest");
  if (!block) throw new Error("no latest block");
  return block.timestamp;
}

/** Gas used by the transaction `tx` (awaited). */
export async function gasOf(tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("transaction was not mined");
  return receipt.gasUsed;
}
