import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Contract, JsonRpcProvider, type InterfaceAbi } from "ethers";
import { readArtifact } from "../../scripts/lib/deployContracts";
import { baseEnv, startSpawnFixture, type SpawnFixture } from "../helpers/spawnFixture";
import { agreementBody, makeParties, boundId } from "../helpers/parties";

/** `npm run register`: the way to register an agreement without the service's relay (paid by one's own key). */
describe("scripts/register (npm run register)", function () {
  this.timeout(180_000);
  let f: SpawnFixture;

  before(async function () {
    f = await startSpawnFixture({ service: false });
  });

  after(async function () {
    await f?.close();
  });

  const run = (args: string[]) =>
    f.runNode(["dist/scripts/register.js", ...args], baseEnv({ RPC_URL: f.node.url, REGISTRY_ADDRESS: f.d.registry }));

  it("behavior: registers the POST /v1/agreements body on the registry; a dry run sends nothing; a second run is refused", async function () {
    const p = makeParties();
    const agreementId = boundId(p);
    const file = path.join(f.dir, "agreement.json");
    fs.writeFileSync(file, JSON.stringify(await agreementBody(f.d, p, agreementId)));
    const provider = new JsonRpcProvider(f.node.url);
    const registry = new Contract(f.d.registry, readArtifact("AgreementRegistry").abi as InterfaceAbi, provider);
    const versions = async (): Promise<bigint> => (await registry.getFunction("latestVersion")(agreementId)) as bigint;
    try {
      const dry = await run([file, "--dry-run"]);
      expect(dry.code, dry.output).to.equal(0);
      expect(await versions()).to.equal(0n);
      const done = await run([file]);
      expect(done.code, done.output).to.equal(0);
      expect(await versions()).to.equal(1n);
      const again = await run([file]);
      expect(again.code, again.output).to.equal(1);
      expect(again.output).to.contain("AgreementRegistryAgreementExists");
      expect((await run([])).code).to.equal(2);
    } finally {
      provider.destroy();
    }
  });
});
