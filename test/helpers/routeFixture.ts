import { expect } from "chai";
import request from "supertest";
import type { Terms } from "@repayproof/verifier";
import { createApp } from "../../service/app";
import type { Config } from "../../service/config";
import type { RunningService } from "../../service/server";
import type { Deployment } from "../../scripts/lib/deployContracts";
import { deployOn, startHardhatNode, type HardhatNode } from "../../scripts/devnet";
import { startInProcess, testConfig } from "./inProcess";
import { agreementBody, bearer, type Parties } from "./parties";
import { tempDir } from "./tempDir";

/** What route tests stand on: a real Hardhat node with the contracts, a service in this process, its app. */
export interface RouteFixture {
  node: HardhatNode;
  d: Deployment;
  svc: RunningService;
  app: ReturnType<typeof createApp>;
  /** Registers `agreementId` for `parties` through `POST /v1/agreements` (platform's token), asserting 201. */
  register(parties: Parties, agreementId: string, version?: number, terms?: Terms): Promise<void>;
  /** `POST /v1/receipts` with a signed item (or `{ items }`) as the JSON body. */
  post(body: unknown): request.Test;
  /** Stops the service and starts a new one on the same data dir (`svc` and `app` are the new ones), `over` applied. */
  restart(over?: Partial<Config>): Promise<void>;
  /** Stops the service, then the node, and removes the data dir. */
  close(): Promise<void>;
}

/** Starts a node, deploys, and serves from a temp data dir with `over` applied to the test config. */
export async function startRouteFixture(over: Partial<Config> = {}): Promise<RouteFixture> {
  const node = await startHardhatNode();
  const tmp = tempDir();
  let svc: RunningService | undefined;
  try {
    const d = await deployOn(node.url);
    const config = testConfig(node.url, d, tmp.dir, over);
    svc = await startInProcess(config);
    let running = svc;
    let app = createApp(svc.deps);
    const f: RouteFixture = {
      node,
      d,
      get svc() {
        return running;
      },
      get app() {
        return app;
      },
      async register(parties, agreementId, version = 1, terms) {
        const res = await request(app)
          .post("/v1/agreements")
          .set("authorization", bearer(d, parties.platform))
          .send(await agreementBody(d, parties, agreementId, version, terms));
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
      },
      post: (body) =>
        request(app).post("/v1/receipts").set("content-type", "application/json").send(JSON.stringify(body)),
      async restart(again = {}) {
        await running.close();
        running = await startInProcess({ ...config, ...again });
        app = createApp(running.deps);
      },
      async close() {
        await running.close();
        await node.stop();
        tmp.remove();
      },
    };
    return f;
  } catch (e) {
    await svc?.close();
    await node.stop();
    tmp.remove();
    throw e;
  }
}
