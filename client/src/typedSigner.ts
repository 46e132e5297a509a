import type { Signer } from "ethers";
import { fromHex, type Eip712Domain, type TypedTypes } from "@repayproof/verifier";

/**
 * A viem account (`privateKeyToAccount(…)`, `toAccount(…)`, a wallet client's local account), or anything
 * with the same two members: its address and `signTypedData({ domain, types, primaryType, message })`.
 * The client does not depend on viem: it only calls these.
 */
export interface ViemAccount {
  address: string;
  signTypedData(args: {
    domain: Eip712Domain;
    types: TypedTypes;
    primaryType: string;
    message: Record<string, unknown>;
  }): Promise<string>;
}

/** What the client signs with: an ethers v6 `Signer` or a viem account. */
export type AnySigner = Signer | ViemAccount;

/** The one shape the client signs through, whatever the library. */
export interface TypedSigner {
  address(): Promise<string>;
  sign(domain: Eip712Domain, types: TypedTypes, primaryType: string, value: Record<string, unknown>): Promise<string>;
  /** An ethers `Wallet`'s key (`signingKey.privateKey`): receipts are then signed without ethers' EIP-712 code. */
  privateKey?: Uint8Array;
}

function isEthers(s: AnySigner): s is Signer {
  return typeof (s as Signer).getAddress === "function";
}

/** Wraps an ethers `Signer` or a viem account. */
export function typedSigner(s: AnySigner): TypedSigner {
  if (isEthers(s)) {
    const key = (s as { signingKey?: { privateKey?: unknown } }).signingKey?.privateKey;
    return {
      address: () => s.getAddress(),
      sign: (domain, types, _primary, value) => s.signTypedData(domain, types, value),
      ...(typeof key === "string" && /^0x[0-9a-fA-F]{64}$/.test(key) ? { privateKey: fromHex(key) } : {}),
    };
  }
  if (typeof s.address !== "string" || typeof s.signTypedData !== "function") {
    throw new TypeError("signer: expected an ethers Signer or a viem account (address, signTypedData)");
  }
  return {
    address: () => Promise.resolve(s.address),
    sign: (domain, types, primaryType, message) => s.signTypedData({ domain, types, primaryType, message }),
  };
}
