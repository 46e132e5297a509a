import fs from "node:fs";
import path from "node:path";
import { ContractFactory, type Signer } from "ethers";
import { projectRoot } from "../../service/config";

/** What a deployment leaves behind: `deployments/<chainId>.json` (DESIGN.md, "Running"). */
export interface Deployment {
  chainId: number;
  registry: string;
  anchor: string;
  operator: string;
  blockNumber: number;
}

interface Artifact {
  abi: unknown[];
  bytecode: string;
}

const ROOT = projectRoot();

/** Reads a compiled artifact (run `hardhat compile` first; `npm test` and `npm start` do). */
export function readArtifact(name: "AgreementRegistry" | "ReceiptAnchor"): Artifact {
  const file = path.join(ROOT, "artifacts", "contracts", `${name}.sol`, `${name}.json`);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npx hardhat compile`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as Artifact;
}

/**
 * Deploys AgreementRegistry and ReceiptAnchor with `deployer` as admin and grants the anchorer role to
 * `operator` (the deployer by default). Plain ethers, so it runs inside or outside the Hardhat runtime.
 */
export async function deployContracts(deployer: Signer, operator?: string): Promise<Deployment> {
  const admin = await deployer.getAddress();
  const op = operator ?? admin;
  const reg = readArtifact("AgreementRegistry");
  const anc = readArtifact("ReceiptAnchor");
  const registry = await new ContractFactory(reg.abi as never, reg.bytecode, deployer).deploy();
  await registry.waitForDeployment();
  const anchor = await new ContractFactory(anc.abi as never, anc.bytecode, deployer).deploy(
    await registry.getAddress(),
    admin,
  );
  const receipt = await anchor.deploymentTransaction()?.wait();
  const role = (await anchor.getFunction("ANCHORER_ROLE")()) as string;
  await (await anchor.getFunction("grantRole")(role, op)).wait();
  const network = await deployer.provider!.getNetwork();
  return {
    chainId: Number(network.chainId),
    registry: await registry.getAddress(),
    anchor: await anchor.getAddress(),
    operator: op,
    blockNumber: receipt?.blockNumber ?? 0,
  };
}

/** Writes `deployments/<chainId>.json` and returns its path. */
export function writeDeployment(d: Deployment, dir = path.join(ROOT, "deployments")): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${d.chainId}.json`);
  fs.writeFileSync(file, JSON.stringify(d, null, 2) + "\n");
  return file;
}
