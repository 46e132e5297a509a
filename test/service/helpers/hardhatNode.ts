import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fetchChainId } from "../../../service/chain/Chain";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/** A free TCP port on loopback (the OS picks it; we release it just before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface NodeHandle {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Spawns `hardhat node` on a free loopback port and waits for its JSON-RPC. */
export async function startHardhatNode(): Promise<NodeHandle> {
  const port = await freePort();
  const child = spawn(
    path.join(ROOT, "node_modules", ".bin", "hardhat"),
    ["node", "--port", String(port), "--hostname", "127.0.0.1"],
    {
      cwd: ROOT,
      stdio: "ignore",
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited with ${child.exitCode}`);
    try {
      await fetchChainId(url);
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error("hardhat node did not start");
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    url,
    port,
    child,
    stop: () => stopChild(child),
  };
}

/** Stops a child process (SIGTERM, then SIGKILL) and resolves once it exited. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    child.kill(signal);
  });
}
