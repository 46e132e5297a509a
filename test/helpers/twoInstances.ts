import { Contract, JsonRpcProvider, Wallet, type InterfaceAbi } from "ethers";
import { HARDHAT_KEY_0 } from "../../service/config";
import { readArtifact } from "../../scripts/lib/deployContracts";
import { startServiceProcess, type PgCluster, type ServiceProcess } from "../../scripts/devnet";
import { pgClusterOrSkip } from "./pgClusterOrSkip";
import { startSpawnFixture, type SpawnFixture } from "./spawnFixture";

/** Hardhat's account #2: instance B's operator (A runs as #0, the relay as #1). */
export const OPERATOR_B = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

/** Two service processes on one PostgreSQL database: A (the fixture's) and B, and how to stop them all. */
export interface TwoInstances {
  f: SpawnFixture;
  b: ServiceProcess;
  close(): Promise<void>;
}

/**
 * A throwaway cluster (or the test `ctx` is skipped), instance A on a database of it with `env`, and B on the
 * same database under its own operator, whom the admin lets anchor too, as it would in production.
 */
export async function startTwoInstances(ctx: Mocha.Context, env: Record<string, string>): Promise<TwoInstances> {
  const cluster: PgCluster = await pgClusterOrSkip(ctx);
  let f: SpawnFixture | undefined;
  try {
    f = await startSpawnFixture({ env: { DATABASE_URL: await cluster.createDatabase("shared"), ...env } });
    const provider = new JsonRpcProvider(f.node.url, undefined, { cacheTimeout: -1 });
    try {
      const abi = readArtifact("ReceiptAnchor").abi as InterfaceAbi;
      const anchor = new Contract(f.d.anchor, abi, new Wallet(HARDHAT_KEY_0, provider));
      const role = (await anchor.getFunction("ANCHORER_ROLE")()) as string;
      await (await anchor.getFunction("grantRole")(role, new Wallet(OPERATOR_B).address)).wait();
    } finally {
      provider.destroy();
    }
    const b = await startServiceProcess({ ...f.env, OPERATOR_KEY: OPERATOR_B }, { echoStderr: "B: " });
    const fx = f;
    return {
      f: fx,
      b,
      close: async () => {
        await b.kill("SIGKILL");
        await fx.close();
        cluster.remove();
      },
    };
  } catch (e) {
    await f?.close();
    cluster.remove();
    throw e;
  }
}
