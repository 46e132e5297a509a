import path from "node:path";
import { Contract, JsonRpcProvider, Transaction, Wallet, type InterfaceAbi } from "ethers";
import type { Terms } from "@repayproof/verifier";
import { ANCHOR_ABI } from "../../service/chain/abi";
import { connectChain, type Chain } from "../../service/chain/Chain";
import { HARDHAT_KEY_0 } from "../../service/config";
import { LevelStore } from "../../service/store/leveldb/LevelStore";
import type { BatchRecord, SentTx } from "../../service/store/records";
import { readArtifact, type Deployment } from "../../scripts/lib/deployContracts";
import { deployOn, startHardhatNode, type HardhatNode } from "../../scripts/devnet";
import { agreementBody, type Parties } from "./parties";
import { startTcpProxy, type TcpProxy } from "./tcpProxy";
import { tempDir } from "./tempDir";

/**
 * What the service's chain parts are tested on: a real Hardhat node with the contracts, the service's own
 * `Chain` (through a TCP proxy the test can cut, when asked), a LevelDB store in a temp dir, and the test's
 * own provider and account #0 wallet to act on the chain behind the service's back.
 */
export interface ChainFixture {
  node: HardhatNode;
  d: Deployment;
  /** The service's view: provider (via the proxy when there is one), operator wallet (account #0), addresses. */
  chain: Chain;
  proxy: TcpProxy | undefined;
  store: LevelStore;
  /** The test's own connection to the node (never through the proxy). */
  provider: JsonRpcProvider;
  /** Account #0 on the test's provider: the operator, acting outside the component under test. */
  wallet: Wallet;
  anchor: Contract;
  registry: Contract;
  /**
   * Signs `anchorBatch(stream, b.seq, b.root, b.count, b.stateRoot)` with account #0 at `nonce` and does not broadcast it:
   * what a crash right after persisting leaves behind.
   */
  signAnchorOnly(stream: string, b: BatchRecord, nonce: number, gasLimit?: bigint): Promise<SentTx>;
  /** Registers (version 1) or amends `agreementId` directly on the registry, signed by `parties`. */
  registerOnChain(parties: Parties, agreementId: string, version?: number, terms?: Terms): Promise<void>;
  close(): Promise<void>;
}

export async function startChainFixture(opts: { proxy?: boolean } = {}): Promise<ChainFixture> {
  const node = await startHardhatNode();
  const tmp = tempDir();
  const closers: (() => Promise<unknown> | void)[] = [() => node.stop(), () => tmp.remove()];
  const close = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) await c();
  };
  try {
    const d = await deployOn(node.url);
    const proxy = opts.proxy ? await startTcpProxy(node.port) : undefined;
    if (proxy) closers.push(() => proxy.close());
    const rpc = proxy ? `http://127.0.0.1:${proxy.port}` : node.url;
    const chain = connectChain(rpc, d.chainId, HARDHAT_KEY_0, d.registry, d.anchor);
    closers.push(() => chain.provider.destroy());
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    closers.push(() => provider.destroy());
    const store = new LevelStore(path.join(tmp.dir, "db"));
    await store.open();
    closers.push(() => store.close());
    const wallet = new Wallet(HARDHAT_KEY_0, provider);
    const anchor = new Contract(d.anchor, readArtifact("ReceiptAnchor").abi as InterfaceAbi, wallet);
    const registry = new Contract(d.registry, readArtifact("AgreementRegistry").abi as InterfaceAbi, wallet);
    return {
      node,
      d,
      chain,
      proxy,
      store,
      provider,
      wallet,
      anchor,
      registry,
      async signAnchorOnly(stream, b, nonce, gasLimit) {
        const data = ANCHOR_ABI.encodeFunctionData("anchorBatch", [stream, b.seq, b.root, b.count, b.stateRoot]);
        const tx = await wallet.populateTransaction({ to: d.anchor, data, nonce, ...(gasLimit ? { gasLimit } : {}) });
        const raw = await wallet.signTransaction(tx);
        return { hash: Transaction.from(raw).hash!, nonce, raw, sentAt: Date.now() };
      },
      async registerOnChain(parties, agreementId, version = 1, terms) {
        const body = await agreementBody(d, parties, agreementId, version, terms);
        const s = body.signatures as Record<string, string>;
        const sigs = [s.platform, s.funder, s.collector, "0x"];
        const tx =
          version === 1
            ? await registry.getFunction("register")(agreementId, body.salt, body.terms, sigs)
            : await registry.getFunction("amend")(agreementId, version, body.terms, sigs);
        await tx.wait();
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
