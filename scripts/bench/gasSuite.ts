import fs from "node:fs";
import path from "node:path";
import {
  AbiCoder,
  Contract,
  ContractFactory,
  ZeroAddress,
  ZeroHash,
  HDNodeWallet,
  Mnemonic,
  type ContractTransactionResponse,
  type Signer,
} from "ethers";
import { AGREEMENT_TYPES, agreementIdOf, registryDomain, receiptToJson } from "@repayproof/verifier";
import { projectRoot } from "../../service/config";
import { deployContracts } from "../lib/deployContracts";
import { figure, ratioRuns } from "./measure";
import { log, type BenchOptions } from "./options";
import type { Row } from "./report";
import { randomDigests } from "./digests";
import { bytes32 } from "./signedReceipts";
import { signReceipts } from "./signedReceipts";

const BATCH = 1000;
const EAS_BATCH = 100;

interface Artifact {
  abi: unknown[];
  bytecode: string;
}

/** An EAS artifact as its npm package ships it (compiled by EAS, deployed here as is). */
function easArtifact(name: "EAS" | "SchemaRegistry"): Artifact {
  const dir = path.dirname(require.resolve("@ethereum-attestation-service/eas-contracts/package.json"));
  const file = path.join(dir, "artifacts", "contracts", `${name}.sol`, `${name}.json`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as Artifact;
}

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (!receipt || receipt.status !== 1) throw new Error("bench: a gas-suite transaction failed");
  return Number(receipt.gasUsed);
}

/**
 * Gas per anchored receipt (steady-state `anchorBatch` of 1,000 receipts / 1,000) against one
 * `recordReceipt` per receipt, EAS `multiTimestamp` per item (batches of 100) and EAS `attest` (schema
 * `bytes32 receiptDigest`, the smallest useful one), all on Hardhat's in-process network in one run.
 */
export async function gasSuite(opts: BenchOptions): Promise<Row[]> {
  // Loaded here, not at the top: the Hardhat runtime takes seconds to start and only this suite needs it.
  // The bench runs as compiled JavaScript, so nothing has taught Node TypeScript; hardhat.config.ts needs
  // it, and Hardhat's CLI (not its library) would register ts-node first: do what the CLI does.
  const ts = (await import("hardhat/internal/core/typescript-support")) as {
    willRunWithTypescript(configPath?: string): boolean;
    loadTsNode(tsConfigPath?: string, typecheck?: boolean): void;
  };
  if (ts.willRunWithTypescript(undefined)) ts.loadTsNode();
  const hre = (await import("hardhat")).default;
  await import("@nomicfoundation/hardhat-ethers"); // hre.ethers's types; hardhat.config.ts loads the plugin itself
  await hre.run("compile", { quiet: true });
  const signers = (await hre.ethers.getSigners()) as unknown as Signer[];
  const [admin, platform, funder, collector, channel] = signers as [Signer, Signer, Signer, Signer, Signer];
  const deployment = await deployContracts(admin);
  const chainId = deployment.chainId;
  const registryArt = JSON.parse(
    fs.readFileSync(
      path.join(projectRoot(), "artifacts/contracts/AgreementRegistry.sol/AgreementRegistry.json"),
      "utf8",
    ),
  ) as Artifact;
  const anchorArt = JSON.parse(
    fs.readFileSync(path.join(projectRoot(), "artifacts/contracts/ReceiptAnchor.sol/ReceiptAnchor.json"), "utf8"),
  ) as Artifact;
  const registry = new Contract(deployment.registry, registryArt.abi as never, admin);
  const anchor = new Contract(deployment.anchor, anchorArt.abi as never, admin);

  // One agreement, so that recordReceipt can check a real channel's role.
  const salt = bytes32();
  const terms = {
    platform: await platform.getAddress(),
    funder: await funder.getAddress(),
    collector: await collector.getAddress(),
    guarantor: ZeroAddress,
    channels: [await channel.getAddress()],
    graceSecs: 86_400,
    settleSecs: 86_400,
    forwardSecs: 86_400,
    confirmSecs: 86_400,
    reportSecs: 86_400,
    disclosureHash: bytes32(),
  };
  const agreementId = agreementIdOf(terms.platform, terms.funder, salt);
  const domain = registryDomain(chainId, deployment.registry);
  const value = { agreementId, version: 1, terms };
  const sign = (s: Signer): Promise<string> => s.signTypedData(domain, AGREEMENT_TYPES, value);
  await (
    await registry.getFunction("register")(agreementId, salt, terms, {
      platform: await sign(platform),
      funder: await sign(funder),
      collector: await sign(collector),
      guarantor: "0x",
    })
  ).wait();

  // Ours: the stream's first anchor binds it (more gas); the steady state is every later one.
  const stream = bytes32();
  const first = await gasOf(anchor.getFunction("anchorBatch")(stream, 0, bytes32(), BATCH, bytes32()));
  const anchorRuns: number[] = [];
  for (let r = 0; r < opts.runs; r++)
    anchorRuns.push(await gasOf(anchor.getFunction("anchorBatch")(stream, r + 1, bytes32(), BATCH, bytes32())));

  // recordReceipt: a channel-signed SETTLED receipt per run (Hardhat account keys are public test keys).
  const accounts = hre.config.networks.hardhat.accounts as { mnemonic: string; path: string };
  const channelWallet = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(accounts.mnemonic), `${accounts.path}/4`);
  if (channelWallet.address !== (await channel.getAddress())) throw new Error("bench: channel key mismatch");
  const receipts = signReceipts(
    opts.runs,
    deployment.anchor,
    [Buffer.from(channelWallet.privateKey.slice(2), "hex")],
    agreementId,
  );
  const recordRuns: number[] = [];
  for (const r of receipts) {
    const json = receiptToJson(r.receipt);
    recordRuns.push(
      await gasOf(
        anchor.getFunction("recordReceipt")({ ...json, amount: r.receipt.amount, nonce: r.receipt.nonce }, r.signature),
      ),
    );
  }

  // EAS, deployed from its npm package's artifacts on the same node.
  const sr = easArtifact("SchemaRegistry");
  const ea = easArtifact("EAS");
  const schemaRegistry = await new ContractFactory(sr.abi as never, sr.bytecode, admin).deploy();
  await schemaRegistry.waitForDeployment();
  const eas = await new ContractFactory(ea.abi as never, ea.bytecode, admin).deploy(await schemaRegistry.getAddress());
  await eas.waitForDeployment();
  const register = schemaRegistry.getFunction("register");
  const schemaUid = (await register.staticCall("bytes32 receiptDigest", ZeroAddress, true)) as string;
  await (await register("bytes32 receiptDigest", ZeroAddress, true)).wait();
  const attestRuns: number[] = [];
  const timestampRuns: number[] = [];
  for (let r = 0; r < opts.runs; r++) {
    const data = AbiCoder.defaultAbiCoder().encode(["bytes32"], [bytes32()]);
    attestRuns.push(
      await gasOf(
        eas.getFunction("attest")({
          schema: schemaUid,
          data: { recipient: ZeroAddress, expirationTime: 0, revocable: true, refUID: ZeroHash, data, value: 0 },
        }),
      ),
    );
    timestampRuns.push((await gasOf(eas.getFunction("multiTimestamp")(randomDigests(EAS_BATCH)))) / EAS_BATCH);
  }
  log(`gas: anchorBatch first ${first}, steady ${anchorRuns.join(", ")}; recordReceipt ${recordRuns.join(", ")}`);
  log(`gas: EAS attest ${attestRuns.join(", ")}; multiTimestamp per item ${timestampRuns.join(", ")}`);

  const ours = figure(
    anchorRuns.map((g) => g / BATCH),
    "gas",
  );
  const oursLabel = "anchorBatch / 1000";
  const rows: Row[] = [
    {
      suite: "gas per anchored receipt",
      size: `batch of ${BATCH}`,
      ours: { label: oursLabel, figure: ours },
      reference: { label: "recordReceipt, per receipt", figure: figure(recordRuns, "gas") },
      ratio: { runs: ratioRuns(figure(recordRuns, "gas"), ours), label: "× cheaper" },
      note: `anchorBatch: ${first.toLocaleString("en-US")} gas for a stream's first batch, ${anchorRuns[0]?.toLocaleString("en-US")} steady (per batch, whatever its count); Hardhat in-process network, contracts compiled by solc 0.8.28 (paris, 10,000 optimizer runs)`,
    },
    {
      suite: "gas per anchored receipt",
      size: `batch of ${BATCH}`,
      ours: { label: oursLabel, figure: ours },
      reference: {
        label: `EAS multiTimestamp, per item (${EAS_BATCH} per call)`,
        figure: figure(timestampRuns, "gas"),
      },
      ratio: { runs: ratioRuns(figure(timestampRuns, "gas"), ours), label: "× cheaper" },
      goal: { text: "≥ 400× cheaper", target: 400, direction: "atLeast" },
    },
    {
      suite: "gas per anchored receipt",
      size: `batch of ${BATCH}`,
      ours: { label: oursLabel, figure: ours },
      reference: { label: "EAS attest (schema bytes32 receiptDigest)", figure: figure(attestRuns, "gas") },
      ratio: { runs: ratioRuns(figure(attestRuns, "gas"), ours), label: "× cheaper" },
      goal: { text: "≥ 3,000× cheaper", target: 3000, direction: "atLeast" },
      note: "EAS 1.9.0 SchemaRegistry + EAS deployed from @ethereum-attestation-service/eas-contracts artifacts; one attestation per receipt, no resolver, the smallest useful schema (one bytes32)",
    },
  ];
  return rows;
}
