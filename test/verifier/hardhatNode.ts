import { freePort, startHardhatNode as start } from "../../scripts/devnet";

export { freePort };

/** A running node, as the verifier's tests use it. */
export interface RunningNode {
  url: string;
  stop(): Promise<void>;
}

/** A Hardhat node on a free loopback port (scripts/devnet: own process group, ready once it listens). */
export async function startHardhatNode(): Promise<RunningNode> {
  const node = await start();
  return {
    url: node.url,
    async stop() {
      await node.stop();
    },
  };
}
