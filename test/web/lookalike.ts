import { Contract, JsonRpcProvider, Wallet, type InterfaceAbi } from "ethers";
import { buildTree, BUNDLE_FORMAT, bundleToJson, KIND, type ReceiptBundleJson } from "@repayproof/verifier";
import { HARDHAT_KEY_0 } from "../../service/config";
import { readArtifact } from "../../scripts/lib/deployContracts";
import { deployOn } from "../../scripts/devnet";
import { agreementBody, makeParties, makeReceipt, boundId, randomId, signReceipt } from "../helpers/parties";

/**
 * A look-alike deployment, as an attacker would make it: its own AgreementRegistry and ReceiptAnchor on the
 * same chain, its own agreement and keys, and a receipt anchored there. The bundle passes every check of an
 * unpinned verification — which is why a verifier must pin the deployment it trusts.
 */
export async function lookalikeBundle(rpcUrl: string): Promise<{ bundle: ReceiptBundleJson; anchor: string }> {
  const d = await deployOn(rpcUrl);
  const p = makeParties();
  const agreementId = boundId(p);
  const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1 });
  try {
    const admin = new Wallet(HARDHAT_KEY_0, provider);
    const registry = new Contract(d.registry, readArtifact("AgreementRegistry").abi as InterfaceAbi, admin);
    const anchor = new Contract(d.anchor, readArtifact("ReceiptAnchor").abi as InterfaceAbi, admin);
    const body = (await agreementBody(d, p, agreementId)) as {
      salt: string;
      terms: Record<string, unknown>;
      signatures: Record<string, string>;
    };
    const sigs = [body.signatures.platform, body.signatures.funder, body.signatures.collector, "0x"];
    await (await registry.getFunction("register")(agreementId, body.salt, body.terms, sigs)).wait();
    const receipt = makeReceipt(agreementId, p.platform, KIND.DUE);
    const signed = signReceipt(d, receipt, p.platform);
    const tree = buildTree([signed.digest]);
    const stream = randomId();
    const tx = await (await anchor.getFunction("anchorBatch")(stream, 0, tree.root, 1, randomId())).wait();
    const bundle = bundleToJson({
      format: BUNDLE_FORMAT,
      chainId: d.chainId,
      contracts: { registry: d.registry, anchor: d.anchor },
      receipt,
      signature: signed.item.signature,
      digest: signed.digest,
      batch: { stream, seq: 0, root: tree.root, count: 1, txHash: tx.hash, blockNumber: tx.blockNumber },
      proof: tree.proof(signed.digest),
    });
    return { bundle, anchor: d.anchor };
  } finally {
    provider.destroy();
  }
}
