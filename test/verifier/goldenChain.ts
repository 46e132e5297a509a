import fs from "node:fs";
import path from "node:path";
import {
  AbiCoder,
  Contract,
  ContractFactory,
  HDNodeWallet,
  JsonRpcProvider,
  NonceManager,
  Wallet,
  id,
  keccak256,
  type Provider,
} from "ethers";
import { deployContracts, readArtifact, type Deployment } from "../../scripts/lib/deployContracts";
import {
  AGREEMENT_TYPES,
  BUNDLE_FORMAT,
  ackBatchDigest,
  ackDigest,
  buildTree,
  chainHead,
  loanStateKey,
  loanStateRoot,
  agreementIdOf,
  bundleToJson,
  fromHex,
  parseReceipt,
  receiptDigest,
  registryDomain,
  signDigest,
  toHex,
  ZERO_ADDRESS,
  type Receipt,
  type ReceiptBundle,
  type ReceiptBundleJson,
  receiptDomainSeparator,
} from "@repayproof/verifier";

/**
 * A deterministic chain state and the proof bundles it yields: fixed Hardhat accounts, contracts at the
 * addresses their deployer's nonces give, one agreement, two anchored batches at fixed block times. Run on
 * a fresh Hardhat chain (in-process after `reset()`, or a new `hardhat node`) it produces byte-identical
 * bundles, so the committed golden files can be re-verified against a rebuilt chain.
 */

const ROOT = path.join(__dirname, "..", "..");
export const FIXTURE_DIR = path.join(ROOT, "test", "fixtures", "bundles");
/** Block time of the anchor of batch 0 (2030-03-17); batch 1 is anchored 600 s later. */
export const T0 = 1_900_000_000;
export const BLOCKS_AFTER_ANCHORS = 5;

const MNEMONIC = "test test test test test test test test test test test junk";

/** Hardhat's default account `i` (the same keys `hardhat node` prints). */
export function hardhatAccount(i: number): HDNodeWallet {
  return HDNodeWallet.fromPhrase(MNEMONIC, "", `m/44'/60'/0'/0/${i}`);
}

export const ACCOUNTS = {
  operator: hardhatAccount(0),
  platform: hardhatAccount(1),
  funder: hardhatAccount(2),
  collector: hardhatAccount(3),
  channel: hardhatAccount(4),
  walletOwner: hardhatAccount(5),
  outsider: hardhatAccount(6),
};

/** The golden agreement's salt; its ID is bound to its platform and funder (agreementIdOf, since v0.2). */
export const AGREEMENT_SALT = id("repayproof/golden/agreement-1");
export const AGREEMENT_ID = agreementIdOf(ACCOUNTS.platform.address, ACCOUNTS.funder.address, AGREEMENT_SALT);
export const STREAM = id("repayproof/golden/stream-0");

/** A provider that also takes raw JSON-RPC calls (evm_* methods): JsonRpcProvider or `hre.ethers.provider`. */
export type DevProvider = Provider & { send(method: string, params: unknown[]): Promise<unknown> };

// Fixed fee fields so transaction hashes do not depend on how a provider estimates fees.
const TX = { gasLimit: 500_000, maxFeePerGas: 50_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n, type: 2 };

function loanId(ref: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["string", "bytes32"], [ref, id(`salt:${ref}`)]));
}

/** A receipt of the golden loan; `over` replaces fields. */
function receipt(over: Partial<Receipt> & Pick<Receipt, "kind" | "attester" | "occurredAt" | "nonce">): Receipt {
  return parseReceipt({
    agreementId: AGREEMENT_ID,
    loanId: loanId("LOAN-0001"),
    installment: 3,
    amount: "125000",
    currency: 156,
    channel: 2,
    externalRef: id("bank-txn-8841"),
    ref: "0x" + "00".repeat(32),
    ...over,
    kind: over.kind,
    nonce: over.nonce.toString(),
    ...(over.amount !== undefined ? { amount: over.amount.toString() } : {}),
  });
}

export interface GoldenChain {
  deployment: Deployment;
  wallet: string;
  /** Golden (valid) bundles by file name (without `.json`). */
  bundles: Record<string, ReceiptBundleJson>;
}

/** Signs a receipt digest with `key` (for tamper variants that re-sign). */
export function signReceipt(
  r: Receipt,
  chainId: number,
  anchor: string,
  key: HDNodeWallet,
): { digest: string; signature: string } {
  const digest = receiptDigest(r, receiptDomainSeparator(chainId, anchor));
  return { digest, signature: signDigest(fromHex(key.privateKey), fromHex(digest)) };
}

/** The operator's Ack signature over (digest, acceptedAt, anchorBy). */
export function signAck(b: ReceiptBundle, acceptedAt: number, anchorBy: number): string {
  const sep = receiptDomainSeparator(b.chainId, b.contracts.anchor);
  return signDigest(fromHex(ACCOUNTS.operator.privateKey), ackDigest(sep, b.digest, acceptedAt, anchorBy));
}

/** The operator's AckBatch signature over (root, acceptedAt, anchorBy) (v0.2: one Ack for a request's receipts). */
export function signAckBatch(b: ReceiptBundle, root: string, acceptedAt: number, anchorBy: number): string {
  const sep = receiptDomainSeparator(b.chainId, b.contracts.anchor);
  return signDigest(fromHex(ACCOUNTS.operator.privateKey), ackBatchDigest(sep, root, acceptedAt, anchorBy));
}

/**
 * Builds the golden chain state on a fresh Hardhat chain behind `provider` and returns the golden bundles.
 * Every block that matters has its time set; the chain must have no history of ours before this.
 */
export async function buildGoldenChain(provider: DevProvider): Promise<GoldenChain> {
  const at = (t: number): Promise<unknown> => provider.send("evm_setNextBlockTimestamp", [t]);
  // NonceManager: ethers' JsonRpcProvider briefly caches eth_getTransactionCount, which would reuse nonces.
  const operator = new NonceManager(new Wallet(ACCOUNTS.operator.privateKey, provider));
  await at(T0 - 3600);
  const deployment = await deployContracts(operator);
  const { chainId, anchor: anchorAddr, registry: registryAddr } = deployment;

  const walletFile = path.join(ROOT, "artifacts", "contracts", "test", "ERC1271Wallet.sol", "ERC1271Wallet.json");
  const walletArtifact = JSON.parse(fs.readFileSync(walletFile, "utf8")) as { abi: unknown[]; bytecode: string };
  const walletContract = await new ContractFactory(
    walletArtifact.abi as never,
    walletArtifact.bytecode,
    operator,
  ).deploy(ACCOUNTS.walletOwner.address, TX);
  await walletContract.waitForDeployment();
  const wallet = await walletContract.getAddress();

  const terms = {
    platform: ACCOUNTS.platform.address,
    funder: ACCOUNTS.funder.address,
    collector: ACCOUNTS.collector.address,
    guarantor: ZERO_ADDRESS,
    channels: [ACCOUNTS.channel.address, wallet],
    graceSecs: 3 * 86400,
    settleSecs: 3600,
    forwardSecs: 86400,
    confirmSecs: 86400,
    reportSecs: 3600,
    disclosureHash: id("golden disclosure v1"),
  };
  const domain = registryDomain(chainId, registryAddr);
  const value = { agreementId: AGREEMENT_ID, version: 1, terms };
  const signatures = {
    platform: await ACCOUNTS.platform.signTypedData(domain, AGREEMENT_TYPES, value),
    funder: await ACCOUNTS.funder.signTypedData(domain, AGREEMENT_TYPES, value),
    collector: await ACCOUNTS.collector.signTypedData(domain, AGREEMENT_TYPES, value),
    guarantor: "0x",
  };
  const registry = new Contract(registryAddr, readArtifact("AgreementRegistry").abi as never, operator);
  await (await registry.getFunction("register")(AGREEMENT_ID, AGREEMENT_SALT, terms, signatures, TX)).wait();

  const sign = (r: Receipt, key: HDNodeWallet): { receipt: Receipt; digest: string; signature: string } => ({
    receipt: r,
    ...signReceipt(r, chainId, anchorAddr, key),
  });
  const batch0 = [
    sign(
      receipt({ kind: 1, attester: ACCOUNTS.platform.address, occurredAt: T0 - 900, nonce: 1n, channel: 0 }),
      ACCOUNTS.platform,
    ),
    sign(receipt({ kind: 2, attester: ACCOUNTS.channel.address, occurredAt: T0 - 800, nonce: 1n }), ACCOUNTS.channel),
    sign(receipt({ kind: 3, attester: ACCOUNTS.channel.address, occurredAt: T0 - 700, nonce: 2n }), ACCOUNTS.channel),
    ...[4, 5, 6, 7, 8, 9, 10].map((n) =>
      sign(
        receipt({
          kind: 1,
          attester: ACCOUNTS.funder.address,
          occurredAt: T0 - 600 + n,
          nonce: BigInt(n),
          installment: n,
          channel: 0,
        }),
        ACCOUNTS.funder,
      ),
    ),
  ];
  // The ERC-1271 wallet is a channel: its owner key signs, the wallet contract vouches.
  const walletSettled = receipt({
    kind: 3,
    attester: wallet,
    occurredAt: T0 + 100,
    nonce: 1n,
    installment: 4,
    channel: 3,
  });
  const batch1 = [
    { receipt: walletSettled, ...signReceipt(walletSettled, chainId, anchorAddr, ACCOUNTS.walletOwner) },
    sign(
      receipt({ kind: 4, attester: ACCOUNTS.collector.address, occurredAt: T0 + 200, nonce: 1n }),
      ACCOUNTS.collector,
    ),
    sign(receipt({ kind: 5, attester: ACCOUNTS.funder.address, occurredAt: T0 + 300, nonce: 11n }), ACCOUNTS.funder),
  ];

  const anchorContract = new Contract(anchorAddr, readArtifact("ReceiptAnchor").abi as never, operator);
  const anchored: { seq: number; tree: ReturnType<typeof buildTree>; txHash: string; blockNumber: number }[] = [];
  // The stream's loan state (docs/formats.md, "Loan state tree"): each loan's digests in anchoring order.
  const chains = new Map<string, string[]>();
  for (const [seq, items] of [batch0, batch1].entries()) {
    const tree = buildTree(items.map((i) => i.digest));
    for (const i of items) {
      const key = loanStateKey(i.receipt.agreementId, i.receipt.loanId);
      chains.set(key, [...(chains.get(key) ?? []), i.digest]);
    }
    const stateRoot = loanStateRoot([...chains].map(([key, ds]) => ({ key, count: ds.length, head: chainHead(ds) })));
    await at(T0 + 600 * seq);
    const tx = await anchorContract.getFunction("anchorBatch")(STREAM, seq, tree.root, items.length, stateRoot, TX);
    const mined = await tx.wait();
    anchored.push({ seq, tree, txHash: tx.hash as string, blockNumber: mined.blockNumber as number });
  }
  for (let i = 0; i < BLOCKS_AFTER_ANCHORS; i++) {
    await at(T0 + 1200 + 12 * i);
    await provider.send("evm_mine", []);
  }

  const bundle = (item: { receipt: Receipt; digest: string; signature: string }, seq: number): ReceiptBundle => {
    const a = anchored[seq]!;
    return {
      format: BUNDLE_FORMAT,
      chainId,
      contracts: { registry: registryAddr, anchor: anchorAddr },
      receipt: item.receipt,
      signature: item.signature,
      digest: item.digest,
      batch: {
        stream: STREAM,
        seq,
        root: a.tree.root,
        count: a.tree.count,
        txHash: a.txHash,
        blockNumber: a.blockNumber,
      },
      proof: a.tree.proof(item.digest),
    };
  };
  const withAck = (b: ReceiptBundle, acceptedAt: number, anchorBy: number): ReceiptBundle => ({
    ...b,
    ack: { acceptedAt, anchorBy, signature: signAck(b, acceptedAt, anchorBy) },
  });

  const settled = withAck(bundle(batch0[2]!, 0), T0 - 690, T0 - 690 + 900);
  const due = bundle(batch0[0]!, 0);
  const contractAttester = withAck(bundle(batch1[0]!, 1), T0 + 101, T0 + 101 + 900);
  // v0.2: the same SETTLED receipt, accepted in one request with the DUE and the INITIATED before it, so its
  // Ack is a share of one AckBatch over the three digests' tree (signed off chain: the chain is unchanged).
  const request = buildTree(batch0.slice(0, 3).map((i) => i.digest));
  const settledBatchAck: ReceiptBundle = {
    ...settled,
    ack: {
      acceptedAt: T0 - 690,
      anchorBy: T0 - 690 + 900,
      signature: signAckBatch(settled, request.root, T0 - 690, T0 - 690 + 900),
      root: request.root,
      proof: request.proof(settled.digest),
    },
  };
  return {
    deployment,
    wallet,
    bundles: {
      settled: bundleToJson(settled),
      "due-no-ack": bundleToJson(due),
      "contract-attester": bundleToJson(contractAttester),
      "settled-batch-ack": bundleToJson(settledBatchAck),
    },
  };
}

/** `hex` (0x-hex bytes) with bit `bit` of byte `byte` flipped. */
export function flipBit(hex: string, byte: number, bit = 0): string {
  const bytes = fromHex(hex);
  bytes[byte] = (bytes[byte] as number) ^ (1 << bit);
  return toHex(bytes);
}

// `npx ts-node --transpile-only test/verifier/goldenChain.ts [rpcUrl]`: rebuilds the golden chain state on a
// fresh node (default http://127.0.0.1:8545), so the committed fixtures can be verified by hand.
if (require.main === module) {
  const url = process.argv[2] ?? "http://127.0.0.1:8545";
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
  buildGoldenChain(provider)
    .then((chain) => console.log(JSON.stringify(chain.deployment)))
    .catch((e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = 1;
    })
    .finally(() => provider.destroy());
}
