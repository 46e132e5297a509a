import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { FetchRequest } from "ethers";

const ROOT = path.join(__dirname, "..", "..");

/** A port the OS says is free now (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function rpcUp(url: string): Promise<boolean> {
  try {
    const req = new FetchRequest(url);
    req.timeout = 1000;
    req.body = { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] };
    req.setHeader("content-type", "application/json");
    const res = await req.send();
    return res.statusCode === 200;
  } catch {
    return false;
  }
}

export interface RunningNode {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts `hardhat node` on a free loopback port in its own process group and waits for its RPC. `stop`
 * kills that group (the node and nothing else) and waits for it to exit.
 */
export async function startHardhatNode(): Promise<RunningNode> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    path.join(ROOT, "node_modules", ".bin", "hardhat"),
    ["node", "--port", String(port), "--hostname", "127.0.0.1"],
    { cwd: ROOT, detached: true, stdio: "ignore", env: { ...process.env, HARDHAT_NETWORK: undefined } },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await exited;
    }
  };
  const deadline = Date.now() + 90_000;
  while (!(await rpcUp(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`hardhat node on port ${port} did not start`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, stop };
}
