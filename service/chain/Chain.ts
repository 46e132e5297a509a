import { FetchRequest, JsonRpcProvider, Network, Wallet } from "ethers";

/** How long one JSON-RPC call may take before we treat the chain as unavailable. */
const RPC_TIMEOUT_MS = 10_000;

/**
 * The chain as the service sees it: a provider bound to one chain id, the operator wallet and the two
 * contracts' addresses. Reads go through the verifier's chain reader; writes are encoded with ./abi.
 */
export interface Chain {
  provider: JsonRpcProvider;
  wallet: Wallet;
  chainId: number;
  registry: string;
  anchor: string;
}

/** A provider that never retries forever: static network, bounded timeouts, no request batching. */
export function makeProvider(rpcUrl: string, chainId: number): JsonRpcProvider {
  const req = new FetchRequest(rpcUrl);
  req.timeout = RPC_TIMEOUT_MS;
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
  return { provider, wallet: new Wallet(operatorKey, provider), chainId, registry, anchor };
}
