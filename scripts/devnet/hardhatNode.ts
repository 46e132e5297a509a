import path from "node:path";
import type { ChildProcess } from "node:child_process";
import { projectRoot } from "../../service/config";
import { spawnChild, type Exit } from "./childProcess";
import { freePort } from "./freePort";

const ROOT = projectRoot();
/** What `hardhat node` prints once it listens. */
const LISTENING = /Started HTTP and WebSocket JSON-RPC server at/;

export interface HardhatNodeOptions {
  /** The port to listen on (loopback); a free one by default. */
  port?: number;
  /**
   * What to run, before `--port <port> --hostname 127.0.0.1`: `hardhat node` from node_modules by default
   * (a test of `npm run node` passes `["npm", "run", "node", "--"]`).
   */
  command?: readonly string[];
  /** How long to wait for its JSON-RPC (ms). */
  timeoutMs?: number;
}

/** A Hardhat node in its own process group, answering JSON-RPC at `url`. */
export interface HardhatNode {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** What it printed lately (it logs every RPC call; older lines are dropped). */
  output(): string;
  /** Stops the node's process group (SIGTERM, SIGKILL after 10 s) and resolves once all of it has exited. */
  stop(): Promise<Exit>;
}

/** Whether `url` answers `eth_chainId` within a second. */
async function rpcAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    const body = (await res.json()) as { result?: unknown };
    return res.status === 200 && typeof body.result === "string";
  } catch {
    return false;
  }
}

/**
 * Starts `hardhat node` on a free loopback port (or `opts.port`) in a process group of its own, and resolves
 * once its JSON-RPC answers. The child picks its network from its own flags, never from this process's
 * HARDHAT_NETWORK. Ready means it said it listens and then answered `eth_chainId` (on a taken port, another
 * node would answer). If it exits or is not ready in time, it is stopped and the error carries its output.
 */
export async function startHardhatNode(opts: HardhatNodeOptions = {}): Promise<HardhatNode> {
  const port = opts.port ?? (await freePort());
  const [command, ...args] = opts.command ?? [path.join(ROOT, "node_modules", ".bin", "hardhat"), "node"];
  if (command === undefined) throw new Error("startHardhatNode: empty command");
  const env = { ...process.env };
  delete env.HARDHAT_NETWORK;
  const node = spawnChild(command, [...args, "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: ROOT,
    env,
    group: true,
    keepOutput: 64 * 1024,
  });
  const url = `http://127.0.0.1:${port}`;
  const fail = async (why: string): Promise<never> => {
    const how = await node.kill("SIGKILL", 1000);
    throw new Error(
      `the Hardhat node on port ${port} ${why} (exit ${how.code ?? how.signal}):\n${node.output().slice(-4000)}`,
    );
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  // Its own word first: on a taken port, another node would answer the RPC while this one failed to bind.
  await node.waitForOutput(LISTENING, Math.max(0, deadline - Date.now())).catch(() => fail("did not start"));
  while (!(await rpcAnswers(url))) {
    if (Date.now() > deadline) await fail("does not answer JSON-RPC");
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, port, child: node.child, output: node.output, stop: () => node.kill("SIGTERM") };
}
