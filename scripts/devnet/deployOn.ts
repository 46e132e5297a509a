import { JsonRpcProvider, Wallet } from "ethers";
import { HARDHAT_KEY_0 } from "../../service/config";
import { deployContracts, type Deployment } from "../lib/deployContracts";

/**
 * Deploys AgreementRegistry and ReceiptAnchor on the node at `url` with Hardhat account #0 as admin, and as
 * the anchorer unless `operator` is given (scripts/lib/deployContracts.ts, what `npm run deploy` runs).
 */
export async function deployOn(url: string, operator?: string): Promise<Deployment> {
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
  try {
    return await deployContracts(new Wallet(HARDHAT_KEY_0, provider), operator);
  } finally {
    provider.destroy();
  }
}
