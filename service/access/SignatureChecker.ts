import { Interface, type Provider } from "ethers";
import { fromHex, recoverAddress, sameAddress } from "@repayproof/verifier";

const ERC1271 = new Interface(["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"]);
const MAGIC = "0x1626ba7e";
/** Gas one ERC-1271 check may burn: a wallet's `isValidSignature` is someone else's code. */
export const ERC1271_GAS = 200_000n;
/** How long an answer about a wallet (its code, a signature) is remembered. */
const TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;

/**
 * Whether a signature is `signer`'s by OpenZeppelin SignatureChecker's rule, as the contracts and the verifier
 * judge it: an ECDSA signature recovering to `signer`, else — when `signer` holds code — its ERC-1271
 * `isValidSignature` answering the magic value, asked with a bounded gas `eth_call`. Answers about contract
 * wallets are cached briefly (bounded), so a repeated token or share costs no second call. An EOA's answer
 * needs no chain; an RPC failure for a wallet is an error (thrown), not a "no".
 */
export class SignatureChecker {
  private readonly answers = new Map<string, { ok: boolean; at: number }>();

  constructor(private readonly provider: Provider) {}

  async isSignedBy(signer: string, digest: Uint8Array | string, signature: string): Promise<boolean> {
    const d = typeof digest === "string" ? fromHex(digest) : digest;
    if (/^0x[0-9a-fA-F]{130}$/.test(signature)) {
      try {
        if (sameAddress(recoverAddress(d, signature), signer)) return true;
      } catch {
        // not a valid ECDSA signature: a wallet's signature may still be
      }
    }
    const hex = "0x" + Buffer.from(d).toString("hex");
    const key = `${signer.toLowerCase()}:${hex}:${signature.toLowerCase()}`;
    const hit = this.answers.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.ok;
    const ok = (await this.hasCode(signer)) && (await this.ask(signer, hex, signature));
    this.remember(key, ok);
    return ok;
  }

  private async hasCode(address: string): Promise<boolean> {
    const key = `code:${address.toLowerCase()}`;
    const hit = this.answers.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.ok;
    const ok = (await this.provider.getCode(address)) !== "0x";
    this.remember(key, ok);
    return ok;
  }

  private async ask(wallet: string, digest: string, signature: string): Promise<boolean> {
    try {
      const data = ERC1271.encodeFunctionData("isValidSignature", [digest, signature]);
      const out = await this.provider.call({ to: wallet, data, gasLimit: ERC1271_GAS });
      return out.slice(0, 10).toLowerCase() === MAGIC;
    } catch (e) {
      // A revert (or running out of its gas) is a refusal; a transport failure is not an answer.
      if ((e as { code?: unknown }).code === "CALL_EXCEPTION") return false;
      throw e;
    }
  }

  private remember(key: string, ok: boolean): void {
    if (this.answers.size >= MAX_ENTRIES) this.answers.delete(this.answers.keys().next().value as string);
    this.answers.set(key, { ok, at: Date.now() });
  }
}
