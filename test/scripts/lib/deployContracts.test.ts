import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import { deployContracts, writeDeployment } from "../../../scripts/lib/deployContracts";

/** The deployment used by `npm run deploy` and the embedded start (scripts/lib/deployContracts.ts). */
describe("deployContracts", function () {
  let dir: string;

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-deploy-"));
  });

  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("deploys both contracts wired together, the deployer admin and anchorer by default", async function () {
    const [deployer] = await ethers.getSigners();
    const d = await deployContracts(deployer!);
    expect(d.chainId).to.equal(31337);
    expect(d.operator).to.equal(deployer!.address);
    const anchor = await ethers.getContractAt("ReceiptAnchor", d.anchor);
    expect(await anchor.registry()).to.equal(d.registry);
    expect(await anchor.hasRole(await anchor.DEFAULT_ADMIN_ROLE(), deployer!.address)).to.equal(true);
    expect(await anchor.hasRole(await anchor.ANCHORER_ROLE(), deployer!.address)).to.equal(true);
    const registry = await ethers.getContractAt("AgreementRegistry", d.registry);
    expect(await registry.MAX_CHANNELS()).to.equal(32);
    // blockNumber is the anchor's deployment block: its code exists there and not one block earlier.
    expect(await ethers.provider.getCode(d.anchor, d.blockNumber)).to.not.equal("0x");
    expect(await ethers.provider.getCode(d.anchor, d.blockNumber - 1)).to.equal("0x");
  });

  it("grants the anchorer role to a separate operator, and only to it", async function () {
    const [deployer, , , , , , , , , operator] = await ethers.getSigners();
    const d = await deployContracts(deployer!, operator!.address);
    expect(d.operator).to.equal(operator!.address);
    const anchor = await ethers.getContractAt("ReceiptAnchor", d.anchor);
    const role = await anchor.ANCHORER_ROLE();
    expect(await anchor.hasRole(role, operator!.address)).to.equal(true);
    expect(await anchor.hasRole(role, deployer!.address)).to.equal(false);
    await expect(
      anchor.connect(operator!).anchorBatch(ethers.id("s"), 0, ethers.id("r"), 1, ethers.id("state")),
    ).to.emit(anchor, "BatchAnchored");
  });

  it("writes deployments/<chainId>.json with exactly the DESIGN.md fields", async function () {
    const [deployer] = await ethers.getSigners();
    const d = await deployContracts(deployer!);
    const file = writeDeployment(d, path.join(dir, "deployments"));
    expect(path.basename(file)).to.equal("31337.json");
    const written = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    expect(Object.keys(written)).to.deep.equal(["chainId", "registry", "anchor", "operator", "blockNumber"]);
    expect(written).to.deep.equal({ ...d });
  });
});
