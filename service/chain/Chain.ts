import { Contract, FetchRequest, JsonRpcProvider, Network, Wallet, type InterfaceAbi } from "ethers";
import { readArtifact } from "../../scripts/lib/deployContracts";

/** How long one JSON-RPC call may take before we treat the chain as unavailable. */
const RPC_TIMEOUT_MS = 10_000;

/** The chain as the service sees it: a provider bound to one chain id, the operator wallet, both contracts. */
export interface Chain {
  provider: JsonRpcProvider;
  wallet: Wallet;
  registry: Contract;
  anchor: Contract;
  chainId: number;
}

/** A provider that never retries forever: static network, bounded timeouts, no request batching. */
export function makeProvider(rpcUrl: string, chainId?: number): JsonRpcProvider {
  const req = new FetchRequest(rpcUrl);
  req.timeout = RPC_TIMEOUT_MS;
  if (chainId === undefined) return new JsonRpcProvider(req, undefined, { batchMaxCount: 1, cacheTimeout: -1 });
  return new JsonRpcProvider(req, Network.from(chainId), { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
}

/** Asks the node for its chain id, with a bounded timeout (eth_chainId, no network detection loop). */
export async function fetchChainId(rpcUrl: string): Promise<number> {
  const req = new FetchRequest(rpcUrl);
  req.timeout = RPC_TIMEOUT_MS;
  req.body = { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] };
  const res = await req.send();
  res.assertOk();
  const body = res.bodyJson as { result?: string; error?: { message?: string } };
  if (typeof body.result !== "string") throw new Error(`eth_chainId failed: ${body.error?.message ?? "no result"}`);
  return Number(BigInt(body.result));
}

export function connectChain(
  rpcUrl: string,
  chainId: number,
  operatorKey: string,
  registry: string,
  anchor: string,
): Chain {
  const provider = makeProvider(rpcUrl, chainId);
  const wallet = new Wallet(operatorKey, provider);
  return {
    provider,
    wallet,
    chainId,
    registry: new Contract(registry, readArtifact("AgreementRegistry").abi as InterfaceAbi, wallet),
    anchor: new Contract(anchor, readArtifact("ReceiptAnchor").abi as InterfaceAbi, wallet),
  };
}

/** Whether `e` looks like the chain being unreachable or failing (as opposed to a contract revert). */
export function isRpcFailure(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  if (code === "CALL_EXCEPTION") return false;
  return true;
}
