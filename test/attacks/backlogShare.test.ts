import { expect } from "chai";
import request from "supertest";
import { KIND } from "@repayproof/verifier";
import { createApp } from "../../service/app";
import { Backlog } from "../../service/batches/Backlog";
import { JsonRpcProvider } from "ethers";
import { Erc1271Checker } from "../../service/chain/Erc1271Checker";
import { HARDHAT_KEY_0 } from "../../service/config";
import { AckSigner } from "../../service/ingest/AckSigner";
import { Admission } from "../../service/ingest/Admission";
import { GroupCommitter } from "../../service/store/GroupCommitter";
import { startRouteFixture, type RouteFixture } from "../helpers/routeFixture";
import { StreamReaders } from "../../service/read/StreamReaders";
import { makeParties, makeReceipt, boundId, signReceipt } from "../helpers/parties";
import { expectRefused } from "../helpers/refusal";

/**
 * Finding 4: BACKLOG_MAX was one pool for everyone. While the chain is slow, one platform (busy or hostile)
 * could fill it and every other agreement was refused until it drained. Each agreement now has a share.
 */
describe("attack: one agreement fills the backlog", function () {
  let f: RouteFixture;
  const p = makeParties();
  const [greedy, modest, third] = [boundId(p), boundId(p), boundId(p)];

  before(async function () {
    f = await startRouteFixture();
    for (const id of [greedy, modest, third]) await f.register(p, id);
  });
  after(async () => f?.close());

  it("error: QUOTA_EXCEEDED (429) for the greedy agreement, BACKLOG_FULL (503) once all is full; nothing stored on refusal", async function () {
    const deps = f.svc.deps;
    const backlog = new Backlog(10, 0, () => undefined, 4);
    const admission = new Admission({
      store: deps.store,
      committer: new GroupCommitter(deps.store),
      terms: deps.terms,
      queue: f.svc.pipeline.queue,
      backlog,
      acks: new AckSigner(deps.identity.domainSeparator, HARDHAT_KEY_0, 60),
      streams: new StreamReaders(deps.reader),
      metrics: deps.metrics,
      log: deps.log,
      maxFutureSkewS: 300,
      wallets: new Erc1271Checker(new JsonRpcProvider(f.node.url), deps.config.sigCheck),
    });
    const app = createApp({ ...deps, admission });
    const send = async (agreementId: string): Promise<request.Response> => {
      const { item, digest } = signReceipt(f.d, makeReceipt(agreementId, p.platform, KIND.DUE), p.platform);
      const res = await request(app).post("/v1/receipts").send(item);
      expect((await deps.store.getReceipt(digest)) !== undefined, "stored exactly when accepted").to.equal(
        res.status === 202,
      );
      return res;
    };
    for (let i = 0; i < 4; i++) expect((await send(greedy)).status).to.equal(202);
    expectRefused(await send(greedy), "QUOTA_EXCEEDED");
    expect(backlog.sizeOf(greedy.toLowerCase())).to.equal(4);
    for (let i = 0; i < 4; i++) expect((await send(modest)).status, "the others still get in").to.equal(202);
    expect((await send(third)).status).to.equal(202);
    expect((await send(third)).status).to.equal(202);
    expectRefused(await send(third), "BACKLOG_FULL");

    backlog.release(4); // the greedy agreement's receipts were the first anchored
    expect(backlog.sizeOf(greedy.toLowerCase())).to.equal(0);
    expect(backlog.sizeOf(modest.toLowerCase())).to.equal(4);
    expect((await send(greedy)).status, "its share is back").to.equal(202);
  });
});
