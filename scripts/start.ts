/**
 * `npm start`: everything locally with no configuration. Starts a Hardhat node on NODE_PORT (loopback),
 * deploys the contracts, serves the API on PORT with data in DATA_DIR, prints what to try next; Ctrl-C
 * stops the service, then the node. The embedded chain forgets everything when it stops, so a DATA_DIR
 * from an earlier run is detected (chain identity) and moved aside, never mixed in.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { HARDHAT_KEY_0, loadConfig, projectRoot } from "../service/config";
import { fetchChainId } from "../service/chain/Chain";
import { startService, type RunningService } from "../service/server";
import { deployContracts, writeDeployment } from "./lib/deployContracts";

const ROOT = projectRoot();

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

async function waitForRpc(url: string, node: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (node.exitCode !== null)
      throw new Error(`the Hardhat node exited (code ${node.exitCode}); see hardhat-node.log`);
    try {
      await fetchChainId(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  throw new Error(`the Hardhat node did not answer at ${url} within ${timeoutMs / 1000}s`);
}

async function main(): Promise<void> {
  const env = { ...process.env };
  if (env.RPC_URL)
    console.warn("npm start runs its own chain and ignores RPC_URL; use `npm run service` for an external chain.");
  delete env.RPC_URL;
  env.BATCH_INTERVAL_MS ??= "2000";
  env.CONFIRMATIONS ??= "1";
  const config = { ...loadConfig(env), moveStaleData: true };
  const nodePort = Number(env.NODE_PORT ?? 8545);
  const hardhat = path.join(ROOT, "node_modules", ".bin", "hardhat");

  if (!fs.existsSync(path.join(ROOT, "artifacts", "contracts", "ReceiptAnchor.sol", "ReceiptAnchor.json"))) {
    console.log("Compiling the contracts (first run)…");
    const r = spawnSync(hardhat, ["compile"], { cwd: ROOT, stdio: "inherit" });
    if (r.status !== 0) throw new Error("npx hardhat compile failed");
  }
  if (!(await portFree(nodePort, "127.0.0.1"))) {
    throw new Error(
      `NODE_PORT ${nodePort} is taken (another node or npm start?). Stop it or set NODE_PORT=<free port>.`,
    );
  }
  if (config.port !== 0 && !(await portFree(config.port, config.host))) {
    throw new Error(`PORT ${config.port} is taken on ${config.host}. Stop the other process or set PORT=<free port>.`);
  }

  const logFile = path.resolve(env.NODE_LOG ?? path.join(ROOT, "hardhat-node.log"));
  const out = fs.openSync(logFile, "w");
  const node = spawn(hardhat, ["node", "--port", String(nodePort), "--hostname", "127.0.0.1"], {
    cwd: ROOT,
    stdio: ["ignore", out, out],
  });
  let svc: RunningService | undefined;
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    try {
      await svc?.close();
    } finally {
      if (node.exitCode === null) node.kill("SIGTERM");
      process.exit(code);
    }
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  node.on("exit", (code) => {
    if (!stopping) {
      console.error(`The Hardhat node exited unexpectedly (code ${code}); stopping. See ${logFile}.`);
      void stop(1);
    }
  });

  try {
    await waitForRpc(config.rpcUrl, node, 60_000);
    const provider = new JsonRpcProvider(config.rpcUrl, undefined, { cacheTimeout: -1 });
    const deployer = new Wallet(env.OPERATOR_KEY ?? HARDHAT_KEY_0, provider);
    const d = await deployContracts(deployer);
    provider.destroy();
    const file = writeDeployment(d, config.deploymentsDir);
    svc = await startService({
      ...config,
      registryAddress: d.registry,
      anchorAddress: d.anchor,
      deploymentBlock: d.blockNumber,
    });
    const u = svc.url;
    if (svc.staleMovedTo) {
      console.warn(
        `\n!! ${config.dataDir} held data of an earlier (now vanished) embedded chain; it was moved aside to\n!! ${svc.staleMovedTo} and a fresh data directory was started. Nothing was mixed.`,
      );
    }
    console.log(`
RepayProof is running.
  API        ${u}   (info: ${u}/v1/info, health: ${u}/healthz, metrics: ${u}/metrics)
  Chain      ${config.rpcUrl}  (Hardhat node, chain 31337; log: ${path.relative(process.cwd(), logFile)})
  Contracts  registry ${d.registry}, anchor ${d.anchor}  (${path.relative(process.cwd(), file)})
  Data       ${config.dataDir}

Try next:
  curl ${u}/v1/info
  npm run demo                                   # a realistic scenario against this service
  npx repayproof verify <bundle.json> --rpc ${config.rpcUrl}
  docs/api.md                                    # every endpoint, error code and setting

Ctrl-C stops the service and the node (the embedded chain is forgotten; the next start moves ${path.basename(config.dataDir)}/ aside).
`);
  } catch (err) {
    console.error(`npm start failed: ${(err as Error).message}`);
    await stop(1);
  }
}

main().catch((err: unknown) => {
  console.error(`npm start failed: ${(err as Error).message}`);
  process.exit(1);
});
