import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { JsonRpcProvider } from "ethers";
import { projectRoot } from "../../service/config";

const ROOT = projectRoot();

/** A free loopback port (the OS picks it; released just before use). */
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

/** Stops a child (SIGTERM, then SIGKILL after 10 s) and resolves once it has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export interface Child {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

async function chainAnswers(url: string): Promise<boolean> {
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
  try {
    await provider.send("eth_chainId", []);
    return true;
  } catch {
    return false;
  } finally {
    provider.destroy();
  }
}

/** `hardhat node` on a free loopback port, once its JSON-RPC answers. */
export async function startHardhatNode(): Promise<Child> {
  const port = await freePort();
  const child = spawn(
    path.join(ROOT, "node_modules", ".bin", "hardhat"),
    ["node", "--port", String(port), "--hostname", "127.0.0.1"],
    { cwd: ROOT, stdio: "ignore" },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (!(await chainAnswers(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`bench: the hardhat node did not start (exit ${child.exitCode})`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, child, stop: () => stopChild(child) };
}

/** `scripts/service.ts` (what `npm run service` runs) with `env`, once it prints its URL. */
export function startServiceProcess(env: NodeJS.ProcessEnv): Promise<Child> {
  const child = spawn(process.execPath, [path.join(ROOT, "dist", "scripts", "service.js")], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`bench: the service did not start:\n${out}`));
    }, 120_000);
    const onData = (b: Buffer): void => {
      if (out.length < 100_000) out += b.toString();
      const m = /\{"msg":"listening","url":"([^"]+)"\}/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout.off("data", onData);
        child.stderr.off("data", onData);
        // Keep draining its output so that the pipe never fills and blocks the service.
        child.stdout.resume();
        child.stderr.on("data", (e: Buffer) => process.stderr.write(`[service] ${e.toString()}`));
        resolve({ url: m[1] as string, child, stop: () => stopChild(child) });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`bench: the service exited (${code}) before listening:\n${out}`));
    });
  });
}
