import { expect } from "chai";
import type { Deployment } from "../../scripts/lib/deployContracts";
import { KIND } from "@repayproof/verifier";
import { startHardhatNode, type NodeHandle } from "./helpers/hardhatNode";
import { serviceEnv, tempDir } from "./helpers/inProcess";
import {
  agreementBody,
  bearer,
  deployOn,
  makeParties,
  makeReceipt,
  randomId,
  signReceipt,
  type Parties,
} from "./helpers/parties";
import { spawnService, type ServiceProcess } from "./helpers/serviceProcess";
import { startTcpProxy, type TcpProxy } from "./helpers/tcpProxy";
import { allBatches, auditAnchors, waitFor } from "./helpers/audit";

interface Health {
  chain: string;
  backlog: number;
}

describe("RPC outage", function () {
  this.timeout(180_000);
  let node: NodeHandle;
  let proxy: TcpProxy;
  let d: Deployment;
  let svc: ServiceProcess;
  let tmp: { dir: string; remove(): void };
  let p: Parties;

  before(async function () {
    node = await startHardhatNode();
    d = await deployOn(node.url);
    proxy = await startTcpProxy(node.port);
    tmp = tempDir();
    p = makeParties();
    const rpc = `http://127.0.0.1:${proxy.port}`;
    svc = await spawnService(
      serviceEnv(rpc, d, tmp.dir, { BATCH_INTERVAL_MS: "200", BATCH_MAX: "20", REGULATORS: p.regulator.address }),
    );
  });

  after(async function () {
    await svc?.kill();
    await proxy?.close();
    await node?.stop();
    tmp?.remove();
  });

  const health = async (): Promise<Health> => (await (await fetch(`${svc.url}/healthz`)).json()) as Health;

  it("keeps accepting while the chain is unreachable and anchors everything once it is back", async function () {
    const agreementId = randomId();
    const reg = await fetch(`${svc.url}/v1/agreements`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(await agreementBody(d, p, agreementId)),
    });
    expect(reg.status).to.equal(201);

    await proxy.cut();
    const digests: string[] = [];
    for (let round = 0; round < 5; round++) {
      const items = Array.from({ length: 20 }, () =>
        signReceipt(d, makeReceipt(agreementId, p.channel, KIND.SETTLED), p.channel),
      );
      const res = await fetch(`${svc.url}/v1/receipts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ items: items.map((i) => i.item) }),
      });
      expect(res.status).to.equal(202);
      const body = (await res.json()) as { results: { digest: string; ack?: unknown }[] };
      for (const r of body.results) {
        expect(r.ack).to.not.equal(undefined);
        digests.push(r.digest);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    await waitFor(
      "health to report the chain unreachable",
      async () => (await health()).chain === "unreachable",
      30_000,
    );
    expect((await health()).backlog).to.equal(100);
    const proof = await fetch(`${svc.url}/v1/receipts/${digests[0]}/proof`, {
      headers: { authorization: bearer(d, p.regulator) },
    });
    expect(proof.status).to.equal(409);
    expect(((await proof.json()) as { error: { code: string } }).error.code).to.equal("NOT_ANCHORED_YET");

    await proxy.restore();
    await waitFor("the backlog to be anchored", async () => (await health()).backlog === 0, 60_000);
    const info = (await (await fetch(`${svc.url}/v1/info`)).json()) as { stream: string };
    const seen = await auditAnchors(node.url, d, info.stream, await allBatches(svc.url, info.stream));
    for (const x of digests) expect(seen.get(x), x).to.equal(1);
    expect((await health()).chain).to.equal("ok");
  });
});
