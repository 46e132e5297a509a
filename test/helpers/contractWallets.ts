import fs from "node:fs";
import path from "node:path";
import { ContractFactory, JsonRpcProvider, Wallet, concat, hexlify, randomBytes, type InterfaceAbi } from "ethers";
import { fromHex, signDigest } from "@repayproof/verifier";
import { HARDHAT_KEY_0, projectRoot } from "../../service/config";

/** The ERC-1271 test harnesses of contracts/test/. */
export type WalletHarness = "ERC1271Wallet" | "MultisigWallet" | "GasBurnerWallet";

/**
 * Deploys one of contracts/test/'s wallets with account #0 (before the service starts: the service's operator
 * is account #0 too, and its anchoring transactions must not race ours for nonces); resolves its address.
 */
export async function deployWallet(rpcUrl: string, name: WalletHarness, args: unknown[] = []): Promise<string> {
  const file = path.join(projectRoot(), `artifacts/contracts/test/${name}.sol/${name}.json`);
  const artifact = JSON.parse(fs.readFileSync(file, "utf8")) as { abi: InterfaceAbi; bytecode: string };
  const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1 });
  try {
    const deployer = new Wallet(HARDHAT_KEY_0, provider);
    const c = await new ContractFactory(artifact.abi, artifact.bytecode, deployer).deploy(...args);
    await c.waitForDeployment();
    return await c.getAddress();
  } finally {
    provider.destroy();
  }
}

/**
 * A contract-wallet party as the test helpers (agreementBody, makeReceipt) see a party: its address is the
 * wallet's, and it signs as the wallet expects — its owners' ECDSA signatures of the digest, concatenated in
 * owner order (one owner: 65 bytes, as ERC1271Wallet takes; n owners: 65·n, as MultisigWallet takes).
 */
export interface WalletParty {
  address: string;
  owners: Wallet[];
  /** The wallet's signature of a 32-byte digest. */
  sign(digest: string | Uint8Array): string;
  /** What agreementBody calls: EIP-712 typed data, signed by every owner. */
  signTypedData(...args: Parameters<Wallet["signTypedData"]>): Promise<string>;
}

export function walletParty(address: string, owners: Wallet[]): WalletParty {
  return {
    address,
    owners,
    sign: (digest) => {
      const d = typeof digest === "string" ? fromHex(digest) : digest;
      return concat(owners.map((o) => signDigest(fromHex(o.privateKey), d)));
    },
    signTypedData: async (...args) => concat(await Promise.all(owners.map((o) => o.signTypedData(...args)))),
  };
}

export const randomOwner = (): Wallet => new Wallet(hexlify(randomBytes(32)));
