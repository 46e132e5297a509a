import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { AGREEMENT_TYPES, agreementIdOf, registryDomain, ZERO_ADDRESS } from "@repayproof/verifier";
import {
  AGREEMENT_ID,
  AGREEMENT_SALT,
  ROLE,
  deployFixture,
  idOf,
  latestTime,
  makeTerms,
  registerAgreement,
  signAgreement,
  signAll,
  type Deployed,
} from "./helpers";

async function registeredFixture(): Promise<Deployed> {
  const d = await deployFixture();
  await registerAgreement(d);
  return d;
}

describe("AgreementRegistry", function () {
  describe("register", function () {
    it("records version 1 in force from its block and emits AgreementRegistered", async function () {
      const d = await loadFixture(deployFixture);
      const terms = makeTerms(d);
      const tx = d.registry.register(AGREEMENT_ID, AGREEMENT_SALT, terms, await signAll(d, AGREEMENT_ID, 1, terms));
      await expect(tx)
        .to.emit(d.registry, "AgreementRegistered")
        .withArgs(AGREEMENT_ID, d.platform.address, d.funder.address);
      const mined = await (await tx).wait();
      const block = await ethers.provider.getBlock(mined!.blockNumber);
      expect(await d.registry.latestVersion(AGREEMENT_ID)).to.equal(1);
      const [stored, effectiveAt, blockNumber] = await d.registry.termsOf(AGREEMENT_ID, 1);
      expect(effectiveAt).to.equal(block!.timestamp);
      expect(blockNumber).to.equal(mined!.blockNumber);
      expect(stored.platform).to.equal(terms.platform);
      expect(stored.funder).to.equal(terms.funder);
      expect(stored.collector).to.equal(terms.collector);
      expect(stored.guarantor).to.equal(terms.guarantor);
      expect(stored.channels).to.deep.equal(terms.channels);
      expect(stored.graceSecs).to.equal(terms.graceSecs);
      expect(stored.settleSecs).to.equal(terms.settleSecs);
      expect(stored.forwardSecs).to.equal(terms.forwardSecs);
      expect(stored.confirmSecs).to.equal(terms.confirmSecs);
      expect(stored.reportSecs).to.equal(terms.reportSecs);
      expect(stored.disclosureHash).to.equal(terms.disclosureHash);
    });

    it("reverts for the zero agreement id", async function () {
      const d = await loadFixture(deployFixture);
      const terms = makeTerms(d);
      await expect(
        d.registry.register(ethers.ZeroHash, AGREEMENT_SALT, terms, await signAll(d, ethers.ZeroHash, 1, terms)),
      ).to.be.revertedWithCustomError(d.registry, "AgreementRegistryInvalidId");
    });

    it("reverts when the agreement exists", async function () {
      const d = await loadFixture(registeredFixture);
      const terms = makeTerms(d);
      await expect(d.registry.register(AGREEMENT_ID, AGREEMENT_SALT, terms, await signAll(d, AGREEMENT_ID, 1, terms)))
        .to.be.revertedWithCustomError(d.registry, "AgreementRegistryAgreementExists")
        .withArgs(AGREEMENT_ID);
    });

    for (const [field, role] of [
      ["platform", ROLE.Platform],
      ["funder", ROLE.Funder],
      ["collector", ROLE.Collector],
    ] as const) {
      it(`reverts when the ${field} is the zero address`, async function () {
        const d = await loadFixture(deployFixture);
        const terms = makeTerms(d, { [field]: ZERO_ADDRESS });
        const id = idOf(terms);
        await expect(d.registry.register(id, AGREEMENT_SALT, terms, await signAll(d, id, 1, terms)))
          .to.be.revertedWithCustomError(d.registry, "AgreementRegistryZeroParty")
          .withArgs(role);
      });
    }

    it("reverts when a channel is the zero address", async function () {
      const d = await loadFixture(deployFixture);
      const terms = makeTerms(d, {
        channels: [d.channelA.address, ZERO_ADDRESS],
      });
      await expect(d.registry.register(AGREEMENT_ID, AGREEMENT_SALT, terms, await signAll(d, AGREEMENT_ID, 1, terms)))
        .to.be.revertedWithCustomError(d.registry, "AgreementRegistryZeroParty")
        .withArgs(ROLE.Channel);
    });

    it("reverts when no channel is named", async function () {
      const d = await loadFixture(deployFixture);
      const terms = makeTerms(d, { channels: [] });
      await expect(
        d.registry.register(AGREEMENT_ID, AGREEMENT_SALT, terms, await signAll(d, AGREEMENT_ID, 1, terms)),
      ).to.be.revertedWithCustomError(d.registry, "AgreementRegistryNoChannels");
    });

    it("accepts MAX_CHANNELS channels and reverts above", async function () {
      const d = await loadFixture(deployFixture);
      const max = await d.registry.MAX_CHANNELS();
      expect(max).to.equal(32);
      const channels = Array.from({ length: 33 }, (_, i) => ethers.zeroPadValue(ethers.toBeHex(i + 1), 20));
      const tooMany = makeTerms(d, { channels });
      await expect(
        d.registry.register(AGREEMENT_ID, AGREEMENT_SALT, tooMany, await signAll(d, AGREEMENT_ID, 1, tooMany)),
      )
        .to.be.revertedWithCustomError(d.registry, "AgreementRegistryTooManyChannels")
        .withArgs(33, 32);
      const atMax = makeTerms(d, { channels: channels.slice(0, 32) });
      await d.registry.register(AGREEMENT_ID, AGREEMENT_SALT, atMax, await signAll(d, AGREEMENT_ID, 1, atMax));
      expect((await d.registry.termsOf(AGREEMENT_ID, 1)).terms.channels).to.have.length(32);
    });

    for (const role of ["platform", "funder", "collector", "guarantor"] as const) {
      it(`reverts when the ${role}'s signature is missing`, async function () {
        const d = await loadFixture(deployFixture);
        const terms = makeTerms(d);
        const sigs = {
          ...(await signAll(d, AGREEMENT_ID, 1, terms)),
          [role]: "0x",
        };
        await expect(d.registry.register(AGREEMENT_ID, AGREEMENT_SALT, terms, sigs))
          .to.be.revertedWithCustomError(d.registry, "AgreementRegistryInvalidSignature")
          .withArgs(AGREEMENT_ID, d[role].address);
      });

      it(`reverts when someone else signs for the ${role}`, async function () {
        const d = await loadFixture(deployFixture);
        const terms = makeTerms(d);
        const sigs = await signAll(d, AGREEMENT_ID, 1, terms, {
          [role]: d.outsider,
        });
        await expect(d.registry.register(AGREEMENT_ID, AGREEMENT_SALT, terms, sigs))
          .to.be.revertedWithCustomError(d.registry, "AgreementRegistryInvalidSignature")
          .withArgs(AGREEMENT_ID, d[role].address);
      });
    }

    it("reverts when the signatures are over other terms or another version", async function () {
      const d = await loadFixture(deployFixture);
      const terms = makeTerms(d);
      const otherTerms = await signAll(d, AGREEMENT_ID, 1, makeTerms(d, { graceSecs: 1 }));
      await expect(d.registry.register(AGREEMENT_ID, AGREEMENT_SALT, terms, otherTerms))
        .to.be.revertedWithCustomError(d.registry, "AgreementRegistryInvalidSignature")
        .withArgs(AGREEMENT_ID, d.platform.address);
      const otherVersion = await signAll(d, AGREEMENT_ID, 2, terms);
      await expect(d.registry.register(AGREEMENT_ID, AGREEMENT_SALT, terms, otherVersion))
        .to.be.revertedWithCustomError(d.registry, "AgreementRegistryInvalidSignature")
        .withArgs(AGREEMENT_ID, d.platform.address);
    });

    it("reverts when a signature is from another registry's domain", async function () {
      const d = await loadFixture(deployFixture);
      const terms = makeTerms(d);
      const foreign = registryDomain(d.chainId, d.outsider.address);
      const sig = await d.platform.signTypedData(foreign, AGREEMENT_TYPES, {
        agreementId: AGREEMENT_ID,
        version: 1,
        terms,
      });
      const sigs = {
        ...(await signAll(d, AGREEMENT_ID, 1, terms)),
        platform: sig,
      };
      await expect(d.registry.register(AGREEMENT_ID, AGREEMENT_SALT, terms, sigs))
        .to.be.revertedWithCustomError(d.registry, "AgreementRegistryInvalidSignature")
        .withArgs(AGREEMENT_ID, d.platform.address);
    });
  });

  describe("register: the ID is bound to its parties", function () {
    it("binds the ID to keccak256(abi.encode(platform, funder, salt)), the verifier's agreementIdOf", async function () {
      const d = await loadFixture(deployFixture);
      const terms = makeTerms(d);
      expect(AGREEMENT_ID).to.equal(agreementIdOf(d.platform.address, d.funder.address, AGREEMENT_SALT));
      const otherSalt = ethers.id("another agreement of the same parties");
      const otherId = idOf(terms, otherSalt);
      await expect(d.registry.register(otherId, otherSalt, terms, await signAll(d, otherId, 1, terms)))
        .to.emit(d.registry, "AgreementRegistered")
        .withArgs(otherId, d.platform.address, d.funder.address);
      // The same ID with another salt, or another funder under the same salt, is not bound.
      await expect(d.registry.register(AGREEMENT_ID, otherSalt, terms, await signAll(d, AGREEMENT_ID, 1, terms)))
        .to.be.revertedWithCustomError(d.registry, "AgreementRegistryIdNotBound")
        .withArgs(AGREEMENT_ID, otherId);
      const swapped = makeTerms(d, { funder: d.collector.address });
      await expect(
        d.registry.register(AGREEMENT_ID, AGREEMENT_SALT, swapped, await signAll(d, AGREEMENT_ID, 1, swapped)),
      )
        .to.be.revertedWithCustomError(d.registry, "AgreementRegistryIdNotBound")
        .withArgs(AGREEMENT_ID, idOf(swapped));
    });

    it("a front-runner with other parties cannot take an ID seen in the mempool", async function () {
      const d = await loadFixture(deployFixture);
      const terms = makeTerms(d);
      // The front-runner copies the ID and the salt and names itself platform and funder; it signs for both.
      const own = makeTerms(d, { platform: d.outsider.address, funder: d.outsider.address, guarantor: ZERO_ADDRESS });
      const sigs = await signAll(d, AGREEMENT_ID, 1, own, { platform: d.outsider, funder: d.outsider });
      await expect(d.registry.connect(d.outsider).register(AGREEMENT_ID, AGREEMENT_SALT, own, sigs))
        .to.be.revertedWithCustomError(d.registry, "AgreementRegistryIdNotBound")
        .withArgs(AGREEMENT_ID, idOf(own));
      // The parties' own registration still goes through.
      await expect(d.registry.register(AGREEMENT_ID, AGREEMENT_SALT, terms, await signAll(d, AGREEMENT_ID, 1, terms)))
        .to.emit(d.registry, "AgreementRegistered")
        .withArgs(AGREEMENT_ID, d.platform.address, d.funder.address);
    });
  });

  describe("register: who must sign", function () {
    it("asks no guarantor signature when there is no guarantor", async function () {
      const d = await loadFixture(deployFixture);
      const terms = makeTerms(d, { guarantor: ZERO_ADDRESS });
      const sigs = await signAll(d, AGREEMENT_ID, 1, terms);
      expect(sigs.guarantor).to.equal("0x");
      await expect(d.registry.register(AGREEMENT_ID, AGREEMENT_SALT, terms, sigs)).to.emit(
        d.registry,
        "AgreementRegistered",
      );
    });

    it("asks a platform that is also the funder to sign once", async function () {
      const d = await loadFixture(deployFixture);
      const terms = makeTerms(d, { funder: d.platform.address });
      const id = idOf(terms);
      const sigs = {
        ...(await signAll(d, id, 1, terms)),
        funder: "0x",
      };
      await expect(d.registry.register(id, AGREEMENT_SALT, terms, sigs)).to.emit(d.registry, "AgreementRegistered");
    });

    for (const [name, same] of [
      ["platform", "platform"],
      ["funder", "funder"],
    ] as const) {
      it(`asks a collector that is also the ${name} to sign once`, async function () {
        const d = await loadFixture(deployFixture);
        const terms = makeTerms(d, { collector: d[same].address });
        const sigs = {
          ...(await signAll(d, AGREEMENT_ID, 1, terms)),
          collector: "0x",
        };
        await expect(d.registry.register(AGREEMENT_ID, AGREEMENT_SALT, terms, sigs)).to.emit(
          d.registry,
          "AgreementRegistered",
        );
      });
    }

    for (const same of ["platform", "funder", "collector"] as const) {
      it(`asks a guarantor that is also the ${same} to sign once`, async function () {
        const d = await loadFixture(deployFixture);
        const terms = makeTerms(d, { guarantor: d[same].address });
        const sigs = {
          ...(await signAll(d, AGREEMENT_ID, 1, terms)),
          guarantor: "0x",
        };
        await expect(d.registry.register(AGREEMENT_ID, AGREEMENT_SALT, terms, sigs)).to.emit(
          d.registry,
          "AgreementRegistered",
        );
      });
    }

    it("asks a guarantor that is also a channel to sign (channels do not sign terms)", async function () {
      const d = await loadFixture(deployFixture);
      const terms = makeTerms(d, { guarantor: d.channelA.address });
      const sigs = {
        ...(await signAll(d, AGREEMENT_ID, 1, terms)),
        guarantor: "0x",
      };
      await expect(d.registry.register(AGREEMENT_ID, AGREEMENT_SALT, terms, sigs))
        .to.be.revertedWithCustomError(d.registry, "AgreementRegistryInvalidSignature")
        .withArgs(AGREEMENT_ID, d.channelA.address);
      const signed = await signAll(d, AGREEMENT_ID, 1, terms, {
        guarantor: d.channelA,
      });
      await expect(d.registry.register(AGREEMENT_ID, AGREEMENT_SALT, terms, signed)).to.emit(
        d.registry,
        "AgreementRegistered",
      );
    });

    it("accepts an EIP-1271 contract wallet's signature as the funder's", async function () {
      const d = await loadFixture(deployFixture);
      const wallet = await ethers.deployContract("ERC1271Wallet", [d.funder.address]);
      const walletAddress = await wallet.getAddress();
      const terms = makeTerms(d, { funder: walletAddress });
      const id = idOf(terms);
      // The wallet's owner key signs the agreement digest; the registry asks the wallet (ERC-1271).
      const sigs = await signAll(d, id, 1, terms, {
        funder: d.funder,
      });
      await expect(d.registry.register(id, AGREEMENT_SALT, terms, sigs))
        .to.emit(d.registry, "AgreementRegistered")
        .withArgs(id, d.platform.address, walletAddress);
    });

    it("refuses an EIP-1271 wallet's signature made by a key it does not accept", async function () {
      const d = await loadFixture(deployFixture);
      const wallet = await ethers.deployContract("ERC1271Wallet", [d.funder.address]);
      const walletAddress = await wallet.getAddress();
      const terms = makeTerms(d, { funder: walletAddress });
      const id = idOf(terms);
      const sigs = await signAll(d, id, 1, terms, {
        funder: d.outsider,
      });
      await expect(d.registry.register(id, AGREEMENT_SALT, terms, sigs))
        .to.be.revertedWithCustomError(d.registry, "AgreementRegistryInvalidSignature")
        .withArgs(id, walletAddress);
    });
  });

  describe("amend", function () {
    it("records version n+1 in force from its block and emits AgreementAmended", async function () {
      const d = await loadFixture(registeredFixture);
      const terms = makeTerms(d, {
        collector: d.outsider.address,
        settleSecs: 7200,
      });
      const sigs = await signAll(d, AGREEMENT_ID, 2, terms, {
        collector: d.outsider,
      });
      const tx = d.registry.amend(AGREEMENT_ID, 2, terms, sigs);
      const mined = await (await tx).wait();
      const block = await ethers.provider.getBlock(mined!.blockNumber);
      await expect(tx).to.emit(d.registry, "AgreementAmended").withArgs(AGREEMENT_ID, 2, block!.timestamp);
      expect(await d.registry.latestVersion(AGREEMENT_ID)).to.equal(2);
      const [v2, effectiveAt, blockNumber] = await d.registry.termsOf(AGREEMENT_ID, 2);
      expect([v2.collector, v2.settleSecs, effectiveAt, blockNumber]).to.deep.equal([
        d.outsider.address,
        7200n,
        BigInt(block!.timestamp),
        BigInt(mined!.blockNumber),
      ]);
      // The old version stays readable.
      expect((await d.registry.termsOf(AGREEMENT_ID, 1)).terms.collector).to.equal(d.collector.address);
    });

    it("reverts for an unknown agreement", async function () {
      const d = await loadFixture(deployFixture);
      const terms = makeTerms(d);
      await expect(d.registry.amend(AGREEMENT_ID, 2, terms, await signAll(d, AGREEMENT_ID, 2, terms)))
        .to.be.revertedWithCustomError(d.registry, "AgreementRegistryUnknownAgreement")
        .withArgs(AGREEMENT_ID);
    });

    for (const given of [0, 1, 3]) {
      it(`reverts for version ${given} when version 2 is next`, async function () {
        const d = await loadFixture(registeredFixture);
        const terms = makeTerms(d);
        await expect(d.registry.amend(AGREEMENT_ID, given, terms, await signAll(d, AGREEMENT_ID, given, terms)))
          .to.be.revertedWithCustomError(d.registry, "AgreementRegistryInvalidVersion")
          .withArgs(AGREEMENT_ID, 2, given);
      });
    }

    for (const [field, role] of [
      ["platform", ROLE.Platform],
      ["funder", ROLE.Funder],
    ] as const) {
      it(`reverts when the ${field} changes (that is a new agreement)`, async function () {
        const d = await loadFixture(registeredFixture);
        const terms = makeTerms(d, { [field]: d.outsider.address });
        const sigs = await signAll(d, AGREEMENT_ID, 2, terms, {
          [field]: d.outsider,
        });
        await expect(d.registry.amend(AGREEMENT_ID, 2, terms, sigs))
          .to.be.revertedWithCustomError(d.registry, "AgreementRegistryPartyChanged")
          .withArgs(AGREEMENT_ID, role);
      });
    }

    it("checks the new terms", async function () {
      const d = await loadFixture(registeredFixture);
      const terms = makeTerms(d, { channels: [] });
      await expect(
        d.registry.amend(AGREEMENT_ID, 2, terms, await signAll(d, AGREEMENT_ID, 2, terms)),
      ).to.be.revertedWithCustomError(d.registry, "AgreementRegistryNoChannels");
    });

    it("reverts when version 1's signatures are replayed for version 2", async function () {
      const d = await loadFixture(registeredFixture);
      const terms = makeTerms(d);
      await expect(d.registry.amend(AGREEMENT_ID, 2, terms, await signAll(d, AGREEMENT_ID, 1, terms)))
        .to.be.revertedWithCustomError(d.registry, "AgreementRegistryInvalidSignature")
        .withArgs(AGREEMENT_ID, d.platform.address);
    });

    it("asks the new collector, not the old one, to sign", async function () {
      const d = await loadFixture(registeredFixture);
      const terms = makeTerms(d, { collector: d.outsider.address });
      const oldCollector = await signAll(d, AGREEMENT_ID, 2, terms, {
        collector: d.collector,
      });
      await expect(d.registry.amend(AGREEMENT_ID, 2, terms, oldCollector))
        .to.be.revertedWithCustomError(d.registry, "AgreementRegistryInvalidSignature")
        .withArgs(AGREEMENT_ID, d.outsider.address);
    });
  });

  describe("termsOf and latestVersion", function () {
    it("returns 0 as the latest version of an unknown agreement", async function () {
      const d = await loadFixture(deployFixture);
      expect(await d.registry.latestVersion(AGREEMENT_ID)).to.equal(0);
    });

    it("reverts for an unknown agreement", async function () {
      const d = await loadFixture(deployFixture);
      await expect(d.registry.termsOf(AGREEMENT_ID, 1))
        .to.be.revertedWithCustomError(d.registry, "AgreementRegistryUnknownAgreement")
        .withArgs(AGREEMENT_ID);
    });

    for (const version of [0, 2]) {
      it(`reverts for version ${version} of an agreement at version 1`, async function () {
        const d = await loadFixture(registeredFixture);
        await expect(d.registry.termsOf(AGREEMENT_ID, version))
          .to.be.revertedWithCustomError(d.registry, "AgreementRegistryUnknownVersion")
          .withArgs(AGREEMENT_ID, version);
      });
    }
  });

  describe("versionAt", function () {
    it("is 0 for an unknown agreement", async function () {
      const d = await loadFixture(deployFixture);
      expect(await d.registry.versionAt(AGREEMENT_ID, 2n ** 64n - 1n)).to.equal(0);
    });

    it("is version 1 before version 1 took effect (loans predate registration)", async function () {
      const d = await loadFixture(registeredFixture);
      const [, effectiveAt] = await d.registry.termsOf(AGREEMENT_ID, 1);
      expect(await d.registry.versionAt(AGREEMENT_ID, 0)).to.equal(1);
      expect(await d.registry.versionAt(AGREEMENT_ID, effectiveAt - 1n)).to.equal(1);
      expect(await d.registry.versionAt(AGREEMENT_ID, effectiveAt)).to.equal(1);
    });

    it("switches to an amendment exactly at its block time", async function () {
      const d = await loadFixture(registeredFixture);
      await time.increase(1000);
      const terms = makeTerms(d, { graceSecs: 1 });
      await d.registry.amend(AGREEMENT_ID, 2, terms, await signAll(d, AGREEMENT_ID, 2, terms));
      const [, effectiveAt] = await d.registry.termsOf(AGREEMENT_ID, 2);
      expect(await d.registry.versionAt(AGREEMENT_ID, effectiveAt - 1n)).to.equal(1);
      expect(await d.registry.versionAt(AGREEMENT_ID, effectiveAt)).to.equal(2);
      expect(await d.registry.versionAt(AGREEMENT_ID, 2n ** 64n - 1n)).to.equal(2);
    });

    it("picks the last of several amendments recorded at the same time", async function () {
      const d = await loadFixture(registeredFixture);
      const v2 = makeTerms(d, { graceSecs: 2 });
      const v3 = makeTerms(d, { graceSecs: 3 });
      const sigs2 = await signAll(d, AGREEMENT_ID, 2, v2);
      const sigs3 = await signAll(d, AGREEMENT_ID, 3, v3);
      await network.provider.send("evm_setAutomine", [false]);
      try {
        await d.registry.amend(AGREEMENT_ID, 2, v2, sigs2, {
          gasLimit: 1_000_000,
        });
        await d.registry.amend(AGREEMENT_ID, 3, v3, sigs3, {
          gasLimit: 1_000_000,
        });
        await network.provider.send("evm_mine", []);
      } finally {
        await network.provider.send("evm_setAutomine", [true]);
      }
      const [, at2] = await d.registry.termsOf(AGREEMENT_ID, 2);
      const [, at3] = await d.registry.termsOf(AGREEMENT_ID, 3);
      expect(at2).to.equal(at3);
      expect(await d.registry.versionAt(AGREEMENT_ID, at2)).to.equal(3);
      expect(await d.registry.versionAt(AGREEMENT_ID, at2 - 1n)).to.equal(1);
    });

    it("finds the version in force among many (binary search)", async function () {
      const d = await loadFixture(registeredFixture);
      const versions = 20;
      for (let v = 2; v <= versions; v++) {
        await time.increase(100 + v); // uneven gaps
        const terms = makeTerms(d, { graceSecs: v });
        await d.registry.amend(AGREEMENT_ID, v, terms, await signAll(d, AGREEMENT_ID, v, terms));
      }
      const starts: bigint[] = [];
      for (let v = 1; v <= versions; v++) starts.push((await d.registry.termsOf(AGREEMENT_ID, v)).effectiveAt);
      for (let v = 1; v <= versions; v++) {
        const start = starts[v - 1]!;
        expect(await d.registry.versionAt(AGREEMENT_ID, start)).to.equal(v);
        expect(await d.registry.versionAt(AGREEMENT_ID, start + 50n)).to.equal(v);
        expect(await d.registry.versionAt(AGREEMENT_ID, start - 1n)).to.equal(Math.max(1, v - 1));
      }
      expect(await d.registry.versionAt(AGREEMENT_ID, BigInt(await latestTime()) + 10n ** 6n)).to.equal(versions);
    });
  });

  describe("hashAgreement", function () {
    it("equals ethers' TypedDataEncoder in the registry's domain", async function () {
      const d = await loadFixture(deployFixture);
      for (const [version, terms] of [
        [1, makeTerms(d)],
        [
          7,
          makeTerms(d, {
            guarantor: ZERO_ADDRESS,
            channels: [d.channelB.address],
          }),
        ],
      ] as const) {
        const expected = ethers.TypedDataEncoder.hash(
          registryDomain(d.chainId, await d.registry.getAddress()),
          AGREEMENT_TYPES,
          { agreementId: AGREEMENT_ID, version, terms },
        );
        expect(await d.registry.hashAgreement(AGREEMENT_ID, version, terms)).to.equal(expected);
      }
    });

    it("is what signAgreement signs", async function () {
      const d = await loadFixture(deployFixture);
      const terms = makeTerms(d);
      const sig = await signAgreement(d, d.platform, AGREEMENT_ID, 1, terms);
      const digest = await d.registry.hashAgreement(AGREEMENT_ID, 1, terms);
      expect(ethers.recoverAddress(digest, sig)).to.equal(d.platform.address);
    });
  });
});
