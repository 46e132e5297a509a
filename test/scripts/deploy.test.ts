import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import { Contract, JsonRpcProvider, id, ZeroHash } from "ethers";
import { baseEnv, startSpawnFixture, type SpawnFixture } from "../helpers/spawnFixture";

/**
 * The fixed commands themselves (DESIGN.md, "Running"): `npm run node` on a free port, then
 * `npm run deploy -- --network localhost` against it, in child processes exactly as a user runs them.
 */

const OPERATOR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"; // Hardhat account #1

describe("npm run node + npm run deploy", function () {
  let f: SpawnFixture;
  let url: string;
  let dir: string;

  before(async function () {
    // Under coverage the artifacts are instrumented (too big for a plain node); this runs in other processes
    // anyway, so it adds no coverage.
    if ((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING) this.skip();
    // `npm run node` itself, in its own process group: stopping it stops npm, its shell and the node.
    f = await startSpawnFixture({ node: { command: ["npm", "run", "node", "--"] }, deploy: false, service: false });
    url = f.node.url;
    dir = f.dir;
    const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
    try {
      expect(BigInt(await provider.send("eth_chainId", []))).to.equal(31337n);
    } finally {
      provider.destroy();
    }
  });

  after(async function () {
    await f?.close();
  });

  async function deploy(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
    return f.run(
      "npm",
      ["run", "deploy", "--", "--network", "localhost", "--no-compile"],
      baseEnv({ NODE_URL: url, DEPLOYMENTS_DIR: dir, ...env }),
    );
  }

  it("deploys both contracts and writes deployments/31337.json, the deployer as operator", async function () {
    const r = await deploy({ OPERATOR: "" });
    expect(r.code, r.output).to.equal(0);
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
    const r = await deploy({ OPERATOR });
    expect(r.code, r.output).to.equal(0);
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
    const r = await deploy({ OPERATOR: "not-an-address" });
    expect(r.code, r.output).to.not.equal(0);
    expect(r.output).to.include("OPERATOR must be an address");
    expect(fs.existsSync(path.join(dir, "31337.json"))).to.equal(false);
  });
});
