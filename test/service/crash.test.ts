import { expect } from "chai";
import type { Deployment } from "../../scripts/lib/deployContracts";
import { KIND } from "@repayproof/verifier";
import { freePort, startHardhatNode, type NodeHandle } from "./helpers/hardhatNode";
import { serviceEnv, tempDir } from "./helpers/inProcess";
import {
  agreementBody,
  deployOn,
  makeParties,
  makeReceipt,
  randomId,
  signReceipt,
  type Parties,
} from "./helpers/parties";
import { spawnService, type ServiceProcess } from "./helpers/serviceProcess";
import { allBatches, auditAnchors, waitFor } from "./helpers/audit";

const KILLS = 3;
const CLIENTS = 3;
const ITEMS = 25;

describe("crash: SIGKILL under load", function () {
  this.timeout(300_000);
  let node: NodeHandle;
  let d: Deployment;
  let svc: ServiceProcess | undefined;
  let tmp: { dir: string; remove(): void };
  let p: Parties;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    node = await startHardhatNode();
    d = await deployOn(node.url);
    tmp = tempDir();
    p = makeParties();
    // One fixed port so clients find the service again after each restart.
    env = serviceEnv(node.url, d, tmp.dir, {
      PORT: String(await freePort()),
      BATCH_INTERVAL_MS: "200",
      BATCH_MAX: "100",
      WORKERS: "1",
    });
  });

  after(async function () {
    await svc?.kill("SIGKILL");
    await node?.stop();
    tmp?.remove();
  });

  it(`loses no acknowledged receipt and anchors each exactly once across ${KILLS} kill -9s`, async function () {
    svc = await spawnService(env);
    const url = svc.url;
    const agreementId = randomId();
    const reg = await fetch(`${url}/v1/agreements`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(await agreementBody(d, p, agreementId)),
    });
    expect(reg.status).to.equal(201);

    const acked = new Set<string>();
    let refusedItems = 0;
    let failedRequests = 0;
    let running = true;
    const client = async (c: number): Promise<void> => {
      const who = [p.platform, p.channel, p.collector][c % 3]!;
      const kind = [KIND.DUE, KIND.SETTLED, KIND.FORWARDED][c % 3]!;
      while (running) {
        const batch = Array.from({ length: ITEMS }, () => signReceipt(d, makeReceipt(agreementId, who, kind), who));
        try {
          const res = await fetch(`${url}/v1/receipts`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ items: batch.map((b) => b.item) }),
          });
          const body = (await res.json()) as {
            results: { digest?: string; ack?: unknown; error?: { code: string } }[];
          };
          if (res.status !== 202) throw new Error(`status ${res.status}`);
          for (const r of body.results) {
            if (r.digest && r.ack) acked.add(r.digest);
            else refusedItems++;
          }
        } catch {
          // The service is down (being killed or restarting): nothing was acknowledged for this request.
          failedRequests++;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));

    for (let k = 0; k < KILLS; k++) {
      const before = acked.size;
      await waitFor("load to progress", async () => acked.size >= before + 200, 60_000, 20);
      await new Promise((r) => setTimeout(r, 200 + Math.floor(Math.random() * 800)));
      await svc.kill("SIGKILL");
      svc = await spawnService(env);
    }
    const before = acked.size;
    await waitFor("load after the last restart", async () => acked.size >= before + 200, 60_000, 20);
    running = false;
    await Promise.all(clients);
    expect(refusedItems).to.equal(0);

    const info = (await (await fetch(`${svc.url}/v1/info`)).json()) as { stream: string };
    await waitFor(
      "the backlog to drain",
      async () => {
        const h = (await (await fetch(`${svc!.url}/healthz`)).json()) as { backlog: number };
        if (h.backlog !== 0) return false;
        const batches = await allBatches(svc!.url, info.stream);
        return batches.every((b) => b.state === "final");
      },
      120_000,
      300,
    );
    const batches = await allBatches(svc.url, info.stream);
    const seen = await auditAnchors(node.url, d, info.stream, batches);
    const missing = [...acked].filter((x) => seen.get(x) !== 1);
    expect(missing, `acknowledged but not anchored exactly once (of ${acked.size})`).to.deep.equal([]);
    for (const [digest, n] of seen) expect(n, digest).to.equal(1);
    console.log(
      `      ${acked.size} acknowledged, ${seen.size} anchored in ${batches.length} batches, ${failedRequests} failed requests during kills`,
    );
  });
});
