import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { ErrorFragment, Interface, NamedFragment, type Fragment, type InterfaceAbi } from "ethers";
import { ANCHOR_ABI, REGISTRY_ABI } from "../../../service/chain/abi";
import { projectRoot } from "../../../service/config";

/** The compiled contract's ABI, from Hardhat's artifact (what the chain runs). */
function compiled(name: string): Interface {
  const file = path.join(projectRoot(), "artifacts", "contracts", `${name}.sol`, `${name}.json`);
  return new Interface((JSON.parse(fs.readFileSync(file, "utf8")) as { abi: InterfaceAbi }).abi);
}

/** The compiled fragment of the same kind and name, or undefined. */
function counterpart(artifact: Interface, f: Fragment): Fragment | undefined {
  const name = f instanceof NamedFragment ? f.name : undefined;
  return artifact.fragments.find((c) => c.type === f.type && c instanceof NamedFragment && c.name === name);
}

for (const [contract, abi] of [
  ["ReceiptAnchor", ANCHOR_ABI],
  ["AgreementRegistry", REGISTRY_ABI],
] as const) {
  describe(`service/chain/abi: ${contract}`, function () {
    const artifact = compiled(contract);

    it("behavior: holds fragments of each kind the service uses", function () {
      const kinds = new Set(abi.fragments.map((f) => f.type));
      expect([...kinds]).to.include.members(["function", "event", "error"]);
    });

    for (const f of abi.fragments) {
      it(`behavior: ${f.type} ${f.format("sighash")} is the compiled contract's, to the parameter names`, function () {
        const c = counterpart(artifact, f);
        expect(c, `${contract} has no ${f.type} ${f.format("sighash")}`).to.not.equal(undefined);
        // "full" covers types, names, indexed flags, state mutability and outputs.
        expect(f.format("full")).to.equal(c!.format("full"));
        // And the selector or topic the chain uses.
        if (f.type === "function")
          expect(abi.getFunction(f.format("sighash"))!.selector).to.equal(
            artifact.getFunction(c!.format("sighash"))!.selector,
          );
        if (f.type === "event")
          expect(abi.getEvent(f.format("sighash"))!.topicHash).to.equal(
            artifact.getEvent(c!.format("sighash"))!.topicHash,
          );
        if (f.type === "error")
          expect(abi.getError(f.format("sighash"))!.selector).to.equal(
            artifact.getError(c!.format("sighash"))!.selector,
          );
      });
    }
  });
}

describe("service/chain/abi: the registry's refusals", function () {
  it("behavior: every AgreementRegistry custom error is known, so a refused registration is always decoded", function () {
    const theirs = compiled("AgreementRegistry")
      .fragments.filter((f) => ErrorFragment.isFragment(f) && f.name.startsWith("AgreementRegistry"))
      .map((f) => f.format("sighash"));
    const ours = REGISTRY_ABI.fragments.filter((f) => f.type === "error").map((f) => f.format("sighash"));
    expect(theirs.length).to.be.greaterThan(0);
    expect(ours).to.have.members(theirs);
  });
});
