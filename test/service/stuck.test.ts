import { expect } from "chai";
import { Contract, JsonRpcProvider, type InterfaceAbi } from "ethers";
import { readArtifact, type Deployment } from "../../scripts/lib/deployContracts";
import type { RunningService } from "../../service/server";
import { KIND } from "@repayproof/verifier";
import { startHardhatNode, type NodeHandle } from "./helpers/hardhatNode";
import { startInProcess, tempDir, testConfig } from "./helpers/inProcess";
import { agreementBody, deployOn, makeParties, makeReceipt, randomId, signReceipt } from "./helpers/parties";
import { waitFor } from "./helpers/audit";

describe("stuck anchoring transaction", function () {
  this.timeout(120_000);
  let node: NodeHandle;
  let d: Deployment;
  let svc: RunningService;
  let tmp: { dir: string; remove(): void };
  let provider: JsonRpcProvider;

  before(async function () {
    node = await startHardhatNode();
    d = await deployOn(node.url);
    tmp = tempDir();
    provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    svc = await startInProcess(testConfig(node.url, d, tmp.dir, { batchIntervalMs: 200, txStuckS: 1 }));
  });

  after(async function () {
    await svc?.close();
    provider?.destroy();
    await node?.stop();
    tmp?.remove();
  });

  it("behavior: is replaced with the same nonce and higher fees, and the batch is anchored once", async function () {
    const p = makeParties();
    const agreementId = randomId();
    const reg = await fetch(`${svc.url}/v1/agreements`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(await agreementBody(d, p, agreementId)),
    });
    expect(reg.status).to.equal(201);

    // Stop mining: the anchoring transaction will sit in the mempool.
    await provider.send("evm_setAutomine", [false]);
    const items = Array.from(
      { length: 3 },
      () => signReceipt(d, makeReceipt(agreementId, p.platform, KIND.DUE), p.platform).item,
    );
    const res = await fetch(`${svc.url}/v1/receipts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ items }),
    });
    expect(res.status).to.equal(202);
    await waitFor(
      "a replacement transaction",
      async () => ((await svc.deps.store.getBatch(0))?.txs.length ?? 0) >= 2,
      30_000,
    );
    const submitted = (await svc.deps.store.getBatch(0))!;
    expect(submitted.state).to.equal("SUBMITTED");
    expect(submitted.txs[1]!.nonce).to.equal(submitted.txs[0]!.nonce);
    expect(BigInt(submitted.txs[1]!.maxFeePerGas!)).to.be.greaterThan(BigInt(submitted.txs[0]!.maxFeePerGas!));

    await provider.send("evm_setAutomine", [true]);
    await provider.send("evm_mine", []);
    await waitFor("the batch to be final", async () => (await svc.deps.store.getBatch(0))?.state === "FINAL", 30_000);
    const final = (await svc.deps.store.getBatch(0))!;
    expect(submitted.txs.slice(1).map((t) => t.hash)).to.include(final.txHash);
    const anchor = new Contract(d.anchor, readArtifact("ReceiptAnchor").abi as InterfaceAbi, provider);
    expect(Number(await anchor.getFunction("nextSeq")(svc.deps.identity.stream))).to.equal(1);
  });
});
