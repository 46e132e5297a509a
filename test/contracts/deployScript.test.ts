import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import hre from "hardhat";
import { Contract, JsonRpcProvider, id, ZeroHash } from "ethers";

/**
 * The fixed commands themselves (DESIGN.md, "Running"): `npm run node` on a free port, then
 * `npm run deploy -- --network localhost` against it, in child processes exactly as a user runs them.
 */

const ROOT = path.join(__dirname, "..", "..");
const run = promisify(execFile);
const OPERATOR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"; // Hardhat account #1
// The children pick their network from their own flags, never from this test process's.
const ENV = { ...process.env, HARDHAT_NETWORK: undefined };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function chainId(url: string): Promise<bigint | undefined> {
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
  try {
    return BigInt(await provider.send("eth_chainId", []));
  } catch {
    return undefined;
  } finally {
    provider.destroy();
  }
}

describe("npm run node + npm run deploy", function () {
  let node: ChildProcess | undefined;
  let exited: Promise<void> | undefined;
  let url: string;
  let dir: string;

  before(async function () {
    // Under coverage the artifacts are instrumented (too big for a plain node); this runs in other processes
    // anyway, so it adds no coverage.
    if ((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-deploy-script-"));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // Own process group, so stopping it stops npm, its shell and the node, and nothing else.
    const child = spawn("npm", ["run", "node", "--", "--port", String(port), "--hostname", "127.0.0.1"], {
      cwd: ROOT,
      detached: true,
      stdio: "ignore",
      env: ENV,
    });
    node = child;
    exited = new Promise((resolve) => child.once("exit", () => resolve()));
    const deadline = Date.now() + 90_000;
    while ((await chainId(url)) !== 31337n) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error("npm run node did not start");
      await new Promise((r) => setTimeout(r, 250));
    }
  });

  after(async function () {
    if (node?.pid !== undefined && node.exitCode === null) {
      try {
        process.kill(-node.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await exited;
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function deploy(env: Record<string, string>): Promise<{ stdout: string }> {
    return run("npm", ["run", "deploy", "--", "--network", "localhost", "--no-compile"], {
      cwd: ROOT,
      env: { ...ENV, NODE_URL: url, DEPLOYMENTS_DIR: dir, ...env },
    });
  }

  it("deploys both contracts and writes deployments/31337.json, the deployer as operator", async function () {
    await deploy({ OPERATOR: "" });
    const file = path.join(dir, "31337.json");
    const d = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    expect(Object.keys(d)).to.deep.equal(["chainId", "registry", "anchor", "operator", "blockNumber"]);
    // A fresh node: Hardhat account #0 deploys at nonces 0 and 1 (the golden vectors' domains).
    expect(d).to.include({
      chainId: 31337,
      registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      anchor: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
      operator: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    });
    const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
    try {
      const anchor = new Contract(
        d.anchor as string,
        ["function hasRole(bytes32,address) view returns (bool)", "function registry() view returns (address)"],
        provider,
      );
      expect(await anchor.getFunction("registry")()).to.equal(d.registry);
      expect(await anchor.getFunction("hasRole")(id("ANCHORER_ROLE"), d.operator)).to.equal(true);
      expect(await anchor.getFunction("hasRole")(ZeroHash, d.operator)).to.equal(true);
      expect(await provider.getCode(d.anchor as string, d.blockNumber as number)).to.not.equal("0x");
    } finally {
      provider.destroy();
    }
  });

  it("grants the anchorer role to OPERATOR when it is set", async function () {
    await deploy({ OPERATOR });
    const d = JSON.parse(fs.readFileSync(path.join(dir, "31337.json"), "utf8")) as Record<string, string>;
    expect(d.operator).to.equal(OPERATOR);
    const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
    try {
      const anchor = new Contract(d.anchor!, ["function hasRole(bytes32,address) view returns (bool)"], provider);
      expect(await anchor.getFunction("hasRole")(id("ANCHORER_ROLE"), OPERATOR)).to.equal(true);
    } finally {
      provider.destroy();
    }
  });

  it("exits non-zero, writing nothing, when OPERATOR is not an address", async function () {
    fs.rmSync(path.join(dir, "31337.json"), { force: true });
    const failed = await deploy({ OPERATOR: "not-an-address" }).then(
      () => false,
      (err: { code?: number }) => err.code !== 0,
    );
    expect(failed).to.equal(true);
    expect(fs.existsSync(path.join(dir, "31337.json"))).to.equal(false);
  });
});
