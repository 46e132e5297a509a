/**
 * `npm run register -- <agreement.json> [--dry-run]`: registers (version 1) or amends an agreement on the
 * AgreementRegistry directly, paid by your own key — no service, no relay quota. The file is the
 * `POST /v1/agreements` body (agreementId, version, terms, signatures). Environment: `RPC_URL` (default
 * http://127.0.0.1:8545), `REGISTER_KEY` (the paying key, 0x-hex; Hardhat account #2 only on chain 31337),
 * `REGISTRY_ADDRESS` (default: deployments/<chainId>.json). The call is simulated first: a refused agreement
 * prints the registry's error and costs nothing. Exit 0 mined, 1 refused or failed, 2 usage error.
 */
import fs from "node:fs";
import path from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { REGISTRY_ABI } from "../service/chain/abi";
import { agreementCallData } from "../service/chain/agreementCall";
import { projectRoot } from "../service/config";
import { parseAgreementRequest } from "../service/routes/agreementRoutes";

/** Hardhat's account #2: a dev default that is neither the anchoring key (#0) nor the relay's (#1). */
const HARDHAT_KEY_2 = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

function usage(message: string): never {
  console.error(`register: ${message}\nusage: npm run register -- <agreement.json> [--dry-run]`);
  process.exit(2);
}

function registryAddress(chainId: number): string {
  if (process.env.REGISTRY_ADDRESS) return process.env.REGISTRY_ADDRESS;
  const dir = process.env.DEPLOYMENTS_DIR || path.join(projectRoot(), "deployments");
  const file = path.join(dir, `${chainId}.json`);
  if (!fs.existsSync(file)) usage(`set REGISTRY_ADDRESS (no ${file})`);
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { registry: string }).registry;
}

/** The registry's custom error in a failed call, by name, when it names one. */
function revertName(e: unknown): string | undefined {
  const data = (e as { data?: unknown })?.data;
  if (typeof data !== "string" || !data.startsWith("0x") || data.length < 10) return undefined;
  return REGISTRY_ABI.parseError(data)?.name;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dryRun = args.includes("--dry-run");
  const files = args.filter((a) => a !== "--dry-run");
  if (files.length !== 1) usage("give one agreement file");
  let body: unknown;
  try {
    body = JSON.parse(fs.readFileSync(files[0] as string, "utf8"));
  } catch (e) {
    usage((e as Error).message);
  }
  let a: ReturnType<typeof parseAgreementRequest>;
  try {
    a = parseAgreementRequest(body);
  } catch (e) {
    usage(`${files[0]} is not an agreement body: ${(e as Error).message}`);
  }
  const provider = new JsonRpcProvider(process.env.RPC_URL || "http://127.0.0.1:8545");
  try {
    const chainId = Number((await provider.getNetwork()).chainId);
    const key = process.env.REGISTER_KEY || (chainId === 31337 ? HARDHAT_KEY_2 : undefined);
    if (!key) usage(`set REGISTER_KEY on chain ${chainId}`);
    const wallet = new Wallet(key, provider);
    const tx = { to: registryAddress(chainId), data: agreementCallData(a) };
    try {
      await provider.call({ ...tx, from: wallet.address });
    } catch (e) {
      console.error(`register: the registry refuses it: ${revertName(e) ?? (e as Error).message}`);
      process.exitCode = 1;
      return;
    }
    const what = `${a.version === 1 ? "register" : `amend to version ${a.version}`} ${a.agreementId}`;
    if (dryRun) {
      console.log(`dry run: ${what} would succeed, sent by ${wallet.address} on chain ${chainId}`);
      return;
    }
    const sent = await wallet.sendTransaction(tx);
    const receipt = await sent.wait();
    if (!receipt || receipt.status !== 1) throw new Error(`transaction ${sent.hash} failed`);
    console.log(`${what}: mined in block ${receipt.blockNumber}, tx ${sent.hash} (paid by ${wallet.address})`);
  } finally {
    provider.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(`register: ${(err as Error).message}`);
  process.exitCode = 1;
});
