import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { isAuthorizedUnder, ZERO_ADDRESS, type Terms as VerifierTerms } from "@repayproof/verifier";
import {
  AGREEMENT_ID,
  KIND,
  deployFixture,
  makeTerms,
  registerAgreement,
  signAll,
  type Deployed,
  type Parties,
} from "./helpers";

async function registeredFixture(): Promise<Deployed> {
  const d = await deployFixture();
  await registerAgreement(d);
  return d;
}

type PartyName = "platform" | "funder" | "collector" | "guarantor" | "channelA" | "channelB" | "outsider";
const PARTIES: readonly PartyName[] = [
  "platform",
  "funder",
  "collector",
  "guarantor",
  "channelA",
  "channelB",
  "outsider",
];

/** The kind → signer table of DESIGN.md, written out by hand (VOIDED: any party on chain). */
const ALLOWED: Record<keyof typeof KIND, readonly PartyName[]> = {
  DUE: ["platform", "funder"],
  INITIATED: ["channelA", "channelB"],
  SETTLED: ["channelA", "channelB"],
  FORWARDED: ["collector"],
  CONFIRMED: ["funder"],
  REVERSED: ["collector", "channelA", "channelB"],
  COMPENSATED: ["guarantor"],
  VOIDED: ["platform", "funder", "collector", "guarantor", "channelA", "channelB"],
};

function asVerifierTerms(p: Parties): VerifierTerms {
  return makeTerms(p) as unknown as VerifierTerms;
}

describe("AgreementRegistry.isAuthorized", function () {
  for (const [kindName, allowed] of Object.entries(ALLOWED) as [keyof typeof KIND, readonly PartyName[]][]) {
    it(`lets exactly ${allowed.join(", ")} sign ${kindName}`, async function () {
      const d = await loadFixture(registeredFixture);
      const kind = KIND[kindName];
      for (const party of PARTIES) {
        const got = await d.registry.isAuthorized(AGREEMENT_ID, d[party].address, kind, 0);
        expect(got, `${party} signing ${kindName}`).to.equal(allowed.includes(party));
        // The verifier mirrors the registry (the service and the CLI judge roles off chain with it).
        expect(isAuthorizedUnder(asVerifierTerms(d), d[party].address, kind)).to.equal(got);
      }
    });
  }

  for (const kind of [0, 9, 255]) {
    it(`refuses every party for unknown kind ${kind}`, async function () {
      const d = await loadFixture(registeredFixture);
      for (const party of PARTIES) {
        expect(await d.registry.isAuthorized(AGREEMENT_ID, d[party].address, kind, 0)).to.equal(false);
      }
    });
  }

  it("refuses everyone for an unknown agreement", async function () {
    const d = await loadFixture(deployFixture);
    for (const kind of Object.values(KIND)) {
      expect(await d.registry.isAuthorized(AGREEMENT_ID, d.platform.address, kind, 0)).to.equal(false);
      expect(await d.registry.isAuthorized(AGREEMENT_ID, d.channelA.address, kind, 0)).to.equal(false);
    }
  });

  it("refuses the zero attester, even where the guarantor is the zero address", async function () {
    const d = await loadFixture(deployFixture);
    await registerAgreement(d, makeTerms(d, { guarantor: ZERO_ADDRESS }));
    for (const kind of Object.values(KIND)) {
      expect(await d.registry.isAuthorized(AGREEMENT_ID, ZERO_ADDRESS, kind, 0)).to.equal(false);
    }
  });

  it("judges a receipt under the version in force at its time", async function () {
    const d = await loadFixture(registeredFixture);
    const [, v1At] = await d.registry.termsOf(AGREEMENT_ID, 1);
    await time.increase(3600);
    const terms = makeTerms(d, {
      collector: d.outsider.address,
      channels: [d.channelB.address],
    });
    await d.registry.amend(AGREEMENT_ID, 2, terms, await signAll(d, AGREEMENT_ID, 2, terms, { collector: d.outsider }));
    const [, v2At] = await d.registry.termsOf(AGREEMENT_ID, 2);
    const { FORWARDED, SETTLED, VOIDED } = KIND;
    const auth = (who: string, kind: number, at: bigint): Promise<boolean> =>
      d.registry.isAuthorized(AGREEMENT_ID, who, kind, at);

    // Before version 1 and while it is in force: the old collector and channel A.
    for (const at of [v1At - 86400n, v1At, v2At - 1n]) {
      expect(await auth(d.collector.address, FORWARDED, at)).to.equal(true);
      expect(await auth(d.outsider.address, FORWARDED, at)).to.equal(false);
      expect(await auth(d.channelA.address, SETTLED, at)).to.equal(true);
    }
    // From version 2: the new collector; channel A is gone, and may no longer void either.
    for (const at of [v2At, v2At + 86400n]) {
      expect(await auth(d.collector.address, FORWARDED, at)).to.equal(false);
      expect(await auth(d.outsider.address, FORWARDED, at)).to.equal(true);
      expect(await auth(d.channelA.address, SETTLED, at)).to.equal(false);
      expect(await auth(d.channelA.address, VOIDED, at)).to.equal(false);
      expect(await auth(d.channelB.address, SETTLED, at)).to.equal(true);
    }
  });
});
