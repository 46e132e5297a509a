import "@nomicfoundation/hardhat-ethers"; // hre.ethers: this file is compiled outside hardhat.config.ts, which loads the plugin
import hre from "hardhat";
import { deployContracts, writeDeployment } from "./lib/deployContracts";

/**
 * `npm run deploy -- --network <name>`: deploys AgreementRegistry and ReceiptAnchor from the network's
 * first account (admin of the anchor), grants the anchorer role to `OPERATOR` (default: the deployer),
 * and writes `deployments/<chainId>.json` = { chainId, registry, anchor, operator, blockNumber }
 * (`DEPLOYMENTS_DIR` writes it elsewhere: tests use a temp dir so they never touch a user's deployments).
 * `hardhat run` compiles first, so the artifacts deployContracts reads are current.
 */
async function main(): Promise<void> {
  const [deployer] = await hre.ethers.getSigners();
  if (!deployer) {
    throw new Error(`network "${hre.network.name}" has no account: set OPERATOR_KEY (network rpc) or use localhost`);
  }
  const operator = process.env.OPERATOR?.trim() || undefined;
  if (operator !== undefined && !hre.ethers.isAddress(operator)) {
    throw new Error(`OPERATOR must be an address (0x followed by 40 hex digits), got "${operator}"`);
  }
  const deployment = await deployContracts(deployer, operator && hre.ethers.getAddress(operator));
  const file = writeDeployment(deployment, process.env.DEPLOYMENTS_DIR || undefined); // undefined: deployments/
  console.log(`network    ${hre.network.name} (chain id ${deployment.chainId})`);
  console.log(`deployer   ${deployer.address}`);
  console.log(`registry   ${deployment.registry}`);
  console.log(`anchor     ${deployment.anchor}`);
  console.log(`operator   ${deployment.operator} (anchorer role)`);
  console.log(`block      ${deployment.blockNumber}`);
  console.log(`wrote      ${file}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
