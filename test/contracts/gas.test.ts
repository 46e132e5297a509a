import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import {
  AGREEMENT_ID,
  AGREEMENT_SALT,
  deployFixture,
  gasOf,
  makeReceipt,
  makeTerms,
  registerAgreement,
  signAll,
  signReceipt,
  type Deployed,
} from "./helpers";

/**
 * Gas is part of the contracts' correctness (DESIGN.md: an anchor costs at most 60,000 gas in steady
 * state), so it is pinned here: each figure must stay within its budget. The budgets sit a little above
 * what the contracts measure today (docs/contracts.md lists the figures), so a regression fails the test.
 * Figures are whole-transaction gas (21,000 base + calldata + execution), paris, optimizer 10,000 runs.
 */
const BUDGET = {
  anchorBatchSteady: 60_000n, // the DESIGN.md ceiling
  anchorBatchFirst: 125_000n, // opens a stream: binds the operator, appends the stream id (v0.2: + the state root)
  recordReceipt: 80_000n,
  register: 330_000n, // two channels and a guarantor, four signatures checked
  amend: 320_000n, // same terms shape: every field stored again as a new version
};

const STREAM = ethers.id("stream:gas");
const figures: Record<string, bigint> = {};

async function registeredFixture(): Promise<Deployed> {
  const d = await deployFixture();
  await registerAgreement(d);
  return d;
}

describe("gas", function () {
  before(function () {
    // Coverage instruments the bytecode, so its gas says nothing about the real contracts.
    if ((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING) this.skip();
  });

  after(function () {
    if (Object.keys(figures).length === 0) return;
    // Printed so that the figures in docs/contracts.md can be refreshed from a test run.
    console.log("\n    gas used (whole transaction):");
    for (const [name, gas] of Object.entries(figures)) console.log(`      ${name.padEnd(22)} ${gas}`);
  });

  it(`anchorBatch opening a stream stays within ${BUDGET.anchorBatchFirst}`, async function () {
    const d = await loadFixture(deployFixture);
    const gas = await gasOf(
      d.anchor.connect(d.operator).anchorBatch(STREAM, 0, ethers.id("root 0"), 1000, ethers.id("state 0")),
    );
    figures.anchorBatchFirst = gas;
    expect(gas).to.be.lte(BUDGET.anchorBatchFirst);
  });

  it(`anchorBatch in steady state stays within ${BUDGET.anchorBatchSteady}`, async function () {
    const d = await loadFixture(deployFixture);
    const op = d.anchor.connect(d.operator);
    await op.anchorBatch(STREAM, 0, ethers.id("root 0"), 1000, ethers.id("state 0"));
    let max = 0n;
    for (let seq = 1; seq <= 5; seq++) {
      // Distinct random-looking roots and state roots, full-width counts: calldata cost is at its steady-state worst.
      const gas = await gasOf(
        op.anchorBatch(STREAM, seq, ethers.id(`root ${seq}`), 0xffffffff, ethers.id(`state ${seq}`)),
      );
      if (gas > max) max = gas;
    }
    figures.anchorBatchSteady = max;
    expect(max).to.be.lte(BUDGET.anchorBatchSteady);
  });

  it(`recordReceipt stays within ${BUDGET.recordReceipt}`, async function () {
    const d = await loadFixture(registeredFixture);
    const r = makeReceipt(d);
    const gas = await gasOf(d.anchor.recordReceipt(r, await signReceipt(d, d.channelA, r)));
    figures.recordReceipt = gas;
    expect(gas).to.be.lte(BUDGET.recordReceipt);
  });

  it(`register with two channels and a guarantor stays within ${BUDGET.register}`, async function () {
    const d = await loadFixture(deployFixture);
    const terms = makeTerms(d);
    const gas = await gasOf(
      d.registry.register(AGREEMENT_ID, AGREEMENT_SALT, terms, await signAll(d, AGREEMENT_ID, 1, terms)),
    );
    figures.register = gas;
    expect(gas).to.be.lte(BUDGET.register);
  });

  it(`amend stays within ${BUDGET.amend}`, async function () {
    const d = await loadFixture(registeredFixture);
    const terms = makeTerms(d, { settleSecs: 7200 });
    const gas = await gasOf(d.registry.amend(AGREEMENT_ID, 2, terms, await signAll(d, AGREEMENT_ID, 2, terms)));
    figures.amend = gas;
    expect(gas).to.be.lte(BUDGET.amend);
  });
});
