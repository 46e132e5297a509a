import { expect } from "chai";
import request from "supertest";
import pino from "pino";
import { Contract, JsonRpcProvider, Wallet, id, type InterfaceAbi } from "ethers";
import { readArtifact } from "../../../scripts/lib/deployContracts";
import { HARDHAT_KEY_0 } from "../../../service/config";
import { waitFor } from "../../helpers/waitFor";
import { KIND } from "@repayproof/verifier";
import { Backlog } from "../../../service/batches/Backlog";
import { AckSigner } from "../../../service/ingest/AckSigner";
import { Admission } from "../../../service/ingest/Admission";
import { createApp } from "../../../service/app";
import { GroupCommitter } from "../../../service/store/GroupCommitter";
import type { RunningService } from "../../../service/server";
import type { Deployment } from "../../../scripts/lib/deployContracts";
import type { HardhatNode } from "../../../scripts/devnet";
import { startRouteFixture, type RouteFixture } from "../../helpers/routeFixture";
import { StreamReaders } from "../../../service/read/StreamReaders";
import {
  agreementBody,
  bearer,
  makeParties,
  makeReceipt,
  boundId,
  randomId,
  signReceipt,
  termsOf,
} from "../../helpers/parties";

describe("service routes", function () {
  let node: HardhatNode;
  let d: Deployment;
  let svc: RunningService;
  let f: RouteFixture;
  const p = makeParties();
  const agreementId = boundId(p);
  let app: ReturnType<typeof createApp>;

  before(async function () {
    // A long interval: receipts stay pending unless a test seals explicitly.
    f = await startRouteFixture({ batchIntervalMs: 3_600_000, regulators: [p.regulator.address.toLowerCase()] });
    ({ node, d, svc, app } = f);
    await f.register(p, agreementId);
  });

  after(async function () {
    await f?.close();
  });

  const post = (body: unknown) => f.post(body);

  describe("GET /v1/info", function () {
    it("returns the fixed info format", async function () {
      const res = await request(app).get("/v1/info");
      expect(res.status).to.equal(200);
      expect(res.body).to.have.keys([
        "chainId",
        "rpcUrl",
        "contracts",
        "stream",
        "operator",
        "confirmations",
        "eip712",
      ]);
      expect(res.body.chainId).to.equal(31337);
      expect(res.body.contracts).to.deep.equal({ registry: d.registry, anchor: d.anchor });
      expect(res.body.eip712.receiptDomain.verifyingContract).to.equal(d.anchor);
    });
  });

  describe("POST /v1/agreements", function () {
    it("error: AGREEMENT_EXISTS when version 1 is registered again", async function () {
      const res = await request(app)
        .post("/v1/agreements")
        .set("authorization", bearer(d, p.platform))
        .send(await agreementBody(d, p, agreementId));
      expect(res.status).to.equal(409);
      expect(res.body.error.code).to.equal("AGREEMENT_EXISTS");
    });
    it("error: BAD_SIGNATURE when a party's signature is wrong", async function () {
      const body = await agreementBody(d, p, boundId(p));
      (body.signatures as Record<string, string>).funder = (body.signatures as Record<string, string>)
        .platform as string;
      const res = await request(app).post("/v1/agreements").set("authorization", bearer(d, p.platform)).send(body);
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal("BAD_SIGNATURE");
    });
    it("error: INVALID_BODY when a field is ill-typed", async function () {
      const body = await agreementBody(d, p, boundId(p));
      (body.terms as Record<string, unknown>).graceSecs = -1;
      const res = await request(app).post("/v1/agreements").set("authorization", bearer(d, p.platform)).send(body);
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal("INVALID_BODY");
    });
    for (const [name, salt] of [
      ["missing", undefined],
      ["malformed", "0x1234"],
      ["not the one that binds the ID to its parties", "0x" + "ab".repeat(32)],
    ] as const) {
      it(`error: INVALID_BODY for version 1 when its salt is ${name}`, async function () {
        const body = await agreementBody(d, p, boundId(p));
        if (salt === undefined) delete body.salt;
        else body.salt = salt;
        const res = await request(app).post("/v1/agreements").set("authorization", bearer(d, p.platform)).send(body);
        expect(res.status).to.equal(400);
        expect(res.body.error.code).to.equal("INVALID_BODY");
        expect(res.body.error.details.field).to.equal(salt === "0x" + "ab".repeat(32) ? "agreementId" : "salt");
      });
    }
    it("error: INVALID_BODY when another platform or funder registers an ID bound to others (taken from the mempool)", async function () {
      const other = makeParties();
      const body = await agreementBody(d, other, boundId(p));
      const res = await request(app).post("/v1/agreements").set("authorization", bearer(d, other.platform)).send(body);
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal("INVALID_BODY");
      expect(res.body.error.details.field).to.equal("agreementId");
    });
    it("behavior: an amendment's salt is ignored", async function () {
      const amended = boundId(p);
      await f.register(p, amended);
      const body = { ...(await agreementBody(d, p, amended, 2)), salt: "not even hex" };
      const res = await request(app).post("/v1/agreements").set("authorization", bearer(d, p.platform)).send(body);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    });
    it("error: UNKNOWN_AGREEMENT when amending an agreement never registered", async function () {
      const res = await request(app)
        .post("/v1/agreements")
        .set("authorization", bearer(d, p.platform))
        .send(await agreementBody(d, p, boundId(p), 2));
      expect(res.status).to.equal(422);
      expect(res.body.error.code).to.equal("UNKNOWN_AGREEMENT");
    });
  });

  describe("POST /v1/receipts", function () {
    it("behavior: accepts a signed receipt with a signed Ack (202)", async function () {
      const { item, digest } = signReceipt(d, makeReceipt(agreementId, p.platform, KIND.DUE), p.platform);
      const res = await post(item);
      expect(res.status).to.equal(202);
      expect(res.body.digest).to.equal(digest);
      expect(res.body.status).to.equal("pending");
      expect(res.body.ack.anchorBy - res.body.ack.acceptedAt).to.equal(svc.deps.config.maxAnchorDelayS);
    });
    it("behavior: resubmitting the same receipt is idempotent (same Ack)", async function () {
      const { item } = signReceipt(d, makeReceipt(agreementId, p.channel, KIND.INITIATED), p.channel);
      const a = await post(item);
      const b = await post(item);
      expect(b.status).to.equal(202);
      expect(b.body).to.deep.equal(a.body);
    });
    it("behavior: items are judged one by one", async function () {
      const good = signReceipt(d, makeReceipt(agreementId, p.channel, KIND.SETTLED), p.channel);
      const forged = signReceipt(d, makeReceipt(agreementId, p.channel, KIND.SETTLED), p.outsider);
      const res = await post({ items: [good.item, forged.item, good.item] });
      expect(res.status).to.equal(202);
      expect(res.body.results).to.have.length(3);
      expect(res.body.results[0].digest).to.equal(good.digest);
      expect(res.body.results[1].error.code).to.equal("BAD_SIGNATURE");
      expect(res.body.results[2].digest).to.equal(good.digest);
    });
    it("error: INVALID_BODY for malformed JSON", async function () {
      const res = await request(app).post("/v1/receipts").set("content-type", "application/json").send("{nope");
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal("INVALID_BODY");
    });
    it("error: INVALID_BODY for an ill-typed field", async function () {
      const { item } = signReceipt(d, makeReceipt(agreementId, p.platform, KIND.DUE), p.platform);
      const res = await post({ ...item, receipt: { ...item.receipt, amount: 5 } });
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal("INVALID_BODY");
    });
    it("error: INVALID_BODY for an empty or oversized items list", async function () {
      expect((await post({ items: [] })).body.error.code).to.equal("INVALID_BODY");
      const { item } = signReceipt(d, makeReceipt(agreementId, p.platform, KIND.DUE), p.platform);
      const res = await post({ items: new Array(1001).fill(item) });
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal("INVALID_BODY");
    });
    it("error: BAD_SIGNATURE when the signature does not recover to attester", async function () {
      const { item } = signReceipt(d, makeReceipt(agreementId, p.platform, KIND.DUE), p.funder);
      const res = await post(item);
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal("BAD_SIGNATURE");
    });
    it("error: BAD_SIGNATURE for a malformed signature", async function () {
      const { item } = signReceipt(d, makeReceipt(agreementId, p.platform, KIND.DUE), p.platform);
      const res = await post({ ...item, signature: item.signature.slice(0, -2) + "1d" });
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal("BAD_SIGNATURE");
    });
    it("error: NOT_AUTHORIZED_FOR_KIND when the attester may not sign the kind", async function () {
      const { item } = signReceipt(d, makeReceipt(agreementId, p.channel, KIND.DUE), p.channel);
      const res = await post(item);
      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal("NOT_AUTHORIZED_FOR_KIND");
    });
    it("error: NOT_AUTHORIZED_FOR_KIND when VOIDED names a receipt we do not hold", async function () {
      const { item } = signReceipt(
        d,
        makeReceipt(agreementId, p.platform, KIND.VOIDED, { ref: randomId() }),
        p.platform,
      );
      const res = await post(item);
      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal("NOT_AUTHORIZED_FOR_KIND");
    });
    it("behavior: VOIDED by the voided receipt's own attester is accepted, by another party refused", async function () {
      const due = signReceipt(d, makeReceipt(agreementId, p.platform, KIND.DUE), p.platform);
      expect((await post(due.item)).status).to.equal(202);
      const byFunder = signReceipt(d, makeReceipt(agreementId, p.funder, KIND.VOIDED, { ref: due.digest }), p.funder);
      expect((await post(byFunder.item)).body.error.code).to.equal("NOT_AUTHORIZED_FOR_KIND");
      const own = signReceipt(d, makeReceipt(agreementId, p.platform, KIND.VOIDED, { ref: due.digest }), p.platform);
      expect((await post(own.item)).status).to.equal(202);
    });
    it("error: UNKNOWN_AGREEMENT for an agreement the registry does not know", async function () {
      const { item } = signReceipt(d, makeReceipt(randomId(), p.platform, KIND.DUE), p.platform);
      const res = await post(item);
      expect(res.status).to.equal(422);
      expect(res.body.error.code).to.equal("UNKNOWN_AGREEMENT");
    });
    it("error: NONCE_CONFLICT when (attester, nonce) names another receipt, and nothing is stored", async function () {
      const first = makeReceipt(agreementId, p.platform, KIND.DUE);
      expect((await post(signReceipt(d, first, p.platform).item)).status).to.equal(202);
      const other = signReceipt(d, { ...first, amount: 1n }, p.platform);
      const res = await post(other.item);
      expect(res.status).to.equal(409);
      expect(res.body.error.code).to.equal("NONCE_CONFLICT");
      expect(await svc.deps.store.getReceipt(other.digest)).to.equal(undefined);
    });
    it("behavior: concurrent submissions of one nonce accept exactly one digest", async function () {
      const base = makeReceipt(agreementId, p.platform, KIND.DUE);
      const variants = [1n, 2n, 3n, 4n].map((a) => signReceipt(d, { ...base, amount: a }, p.platform).item);
      const results = await Promise.all(variants.map((v) => post(v)));
      expect(results.filter((r) => r.status === 202)).to.have.length(1);
      for (const r of results.filter((x) => x.status !== 202)) expect(r.body.error.code).to.equal("NONCE_CONFLICT");
    });
    it("error: INVALID_TIME (400) for a receipt dated more than MAX_FUTURE_SKEW_S ahead; nothing stored", async function () {
      const ahead = signReceipt(
        d,
        makeReceipt(agreementId, p.platform, KIND.DUE, { occurredAt: Math.floor(Date.now() / 1000) + 3600 }),
        p.platform,
      );
      const res = await post(ahead.item);
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal("INVALID_TIME");
      expect(res.body.error.details.field).to.equal("receipt.occurredAt");
      expect(await svc.deps.store.getReceipt(ahead.digest)).to.equal(undefined);
      const nearly = signReceipt(
        d,
        makeReceipt(agreementId, p.platform, KIND.DUE, { occurredAt: Math.floor(Date.now() / 1000) + 60 }),
        p.platform,
      );
      expect((await post(nearly.item)).status, "clocks differ: a minute ahead is fine").to.equal(202);
    });
    it("error: BODY_TOO_LARGE over 2 MiB", async function () {
      const res = await request(app)
        .post("/v1/receipts")
        .set("content-type", "application/json")
        .send(JSON.stringify({ items: [], pad: "x".repeat(2 * 1024 * 1024 + 10) }));
      expect(res.status).to.equal(413);
      expect(res.body.error.code).to.equal("BODY_TOO_LARGE");
    });
    it("error: BACKLOG_FULL (503) when the backlog bound is reached", async function () {
      const deps = svc.deps;
      const full = new Admission({
        store: deps.store,
        committer: new GroupCommitter(deps.store),
        terms: deps.terms,
        wallets: { isValidSignature: () => Promise.resolve(false) },
        queue: svc.pipeline.queue,
        backlog: new Backlog(0),
        acks: new AckSigner(deps.identity.domainSeparator, HARDHAT_KEY_0, 60),
        streams: new StreamReaders(deps.reader),
        metrics: deps.metrics,
        log: deps.log,
        maxFutureSkewS: 300,
      });
      const res = await request(createApp({ ...deps, admission: full }))
        .post("/v1/receipts")
        .send(signReceipt(d, makeReceipt(agreementId, p.platform, KIND.DUE), p.platform).item);
      expect(res.status).to.equal(503);
      expect(res.body.error.code).to.equal("BACKLOG_FULL");
      expect(Number(res.headers["retry-after"])).to.be.greaterThan(0);
    });
    it("error: RATE_LIMITED (429) past the per-key rate", async function () {
      const limited = createApp({ ...svc.deps, config: { ...svc.deps.config, rateLimitRps: 1 } });
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await request(limited).get("/v1/info")).status);
      expect(codes).to.include(429);
      const res = await request(limited).get("/v1/info");
      expect(res.status).to.equal(429);
      expect(res.body.error.code).to.equal("RATE_LIMITED");
    });
    it("error: INTERNAL (500) when our own code fails, with the JSON error body", async function () {
      const broken = {
        ...svc.deps.pool,
        run: () => Promise.reject(new Error("boom")),
      } as unknown as typeof svc.deps.pool;
      const res = await request(createApp({ ...svc.deps, pool: broken, log: pino({ level: "silent" }) }))
        .post("/v1/receipts")
        .send("{}");
      expect(res.status).to.equal(500);
      expect(res.body.error.code).to.equal("INTERNAL");
    });
  });

  describe("agreement amendments", function () {
    it("behavior: an amendment made directly on chain is picked up from registry events", async function () {
      const q = makeParties();
      const id2 = boundId(q);
      expect(
        (
          await request(app)
            .post("/v1/agreements")
            .set("authorization", bearer(d, q.platform))
            .send(await agreementBody(d, q, id2))
        ).status,
      ).to.equal(201);
      const before = Math.floor(Date.now() / 1000) - 3600;
      const byOld = signReceipt(d, makeReceipt(id2, q.channel, KIND.SETTLED, { occurredAt: before }), q.channel);
      expect((await post(byOld.item)).status).to.equal(202); // terms v1 now cached
      // Version 2 swaps the channel, sent to the registry by someone else (not through this service).
      const newChannel = makeParties().channel;
      const terms2 = { ...termsOf(q), channels: [newChannel.address] };
      const body = await agreementBody(d, q, id2, 2, terms2);
      const sigs = body.signatures as Record<string, string>;
      const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
      try {
        const registry = new Contract(
          d.registry,
          readArtifact("AgreementRegistry").abi as InterfaceAbi,
          new Wallet(HARDHAT_KEY_0, provider),
        );
        await (
          await registry.getFunction("amend")(id2, 2, terms2, [sigs.platform, sigs.funder, sigs.collector, "0x"])
        ).wait();
      } finally {
        provider.destroy();
      }
      const later = Math.floor(Date.now() / 1000) + 120; // after the amendment, within MAX_FUTURE_SKEW_S
      const byNew = signReceipt(d, makeReceipt(id2, newChannel, KIND.SETTLED, { occurredAt: later }), newChannel);
      await waitFor("the amendment to be seen", async () => (await post(byNew.item)).status === 202, 20_000);
      // Under version 2 the old channel may no longer settle; before it took effect, version 1 applies.
      const oldAfter = signReceipt(d, makeReceipt(id2, q.channel, KIND.SETTLED, { occurredAt: later }), q.channel);
      const refused = await post(oldAfter.item);
      expect(refused.status).to.equal(403);
      expect(refused.body.error.code).to.equal("NOT_AUTHORIZED_FOR_KIND");
      const oldBefore = signReceipt(d, makeReceipt(id2, q.channel, KIND.SETTLED, { occurredAt: before }), q.channel);
      expect((await post(oldBefore.item)).status).to.equal(202);
    });
  });

  describe("reads", function () {
    let digest: string;
    before(async function () {
      const s = signReceipt(d, makeReceipt(agreementId, p.collector, KIND.FORWARDED), p.collector);
      digest = s.digest;
      expect((await post(s.item)).status).to.equal(202);
    });

    it("behavior: a party of the agreement reads a receipt's status", async function () {
      const res = await request(app).get(`/v1/receipts/${digest}`).set("authorization", bearer(d, p.funder));
      expect(res.status).to.equal(200);
      expect(res.body.status).to.equal("pending");
      expect(res.body.batch).to.equal(null);
    });
    it("behavior: a regulator reads any receipt", async function () {
      const res = await request(app).get(`/v1/receipts/${digest}`).set("authorization", bearer(d, p.regulator));
      expect(res.status).to.equal(200);
    });
    it("error: UNAUTHENTICATED without a token, with an expired one, or one living over 24 h", async function () {
      for (const auth of [undefined, bearer(d, p.funder, -10), bearer(d, p.funder, 25 * 3600), "Bearer junk"]) {
        const req = request(app).get(`/v1/receipts/${digest}`);
        const res = await (auth ? req.set("authorization", auth) : req);
        expect(res.status).to.equal(401);
        expect(res.body.error.code).to.equal("UNAUTHENTICATED");
      }
    });
    it("error: UNAUTHENTICATED when the token is signed by someone else", async function () {
      const forged = bearer(d, p.outsider).replace(p.outsider.address, p.funder.address);
      const res = await request(app).get(`/v1/receipts/${digest}`).set("authorization", forged);
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal("UNAUTHENTICATED");
    });
    it("error: FORBIDDEN for a party outside the agreement", async function () {
      const res = await request(app).get(`/v1/receipts/${digest}`).set("authorization", bearer(d, p.outsider));
      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal("FORBIDDEN");
    });
    it("error: NOT_FOUND for a digest never accepted", async function () {
      const res = await request(app)
        .get(`/v1/receipts/${id("never")}`)
        .set("authorization", bearer(d, p.funder));
      expect(res.status).to.equal(404);
      expect(res.body.error.code).to.equal("NOT_FOUND");
    });
    it("error: NOT_ANCHORED_YET for the proof of a pending receipt", async function () {
      const res = await request(app).get(`/v1/receipts/${digest}/proof`).set("authorization", bearer(d, p.funder));
      expect(res.status).to.equal(409);
      expect(res.body.error.code).to.equal("NOT_ANCHORED_YET");
    });
    it("error: NOT_FOUND for a batch past the last and for unknown routes (JSON)", async function () {
      const res = await request(app).get(`/v1/batches/${svc.deps.identity.stream}/999`);
      expect(res.status).to.equal(404);
      expect(res.body.error.code).to.equal("NOT_FOUND");
      const none = await request(app).get("/v1/nothing-here");
      expect(none.status).to.equal(404);
      expect(none.body.error.code).to.equal("NOT_FOUND");
    });
    it("behavior: a sealed and anchored batch serves its digests and a proof", async function () {
      await svc.pipeline.batcher.seal();
      const deadline = Date.now() + 20_000;
      let res;
      do {
        await new Promise((r) => setTimeout(r, 100));
        res = await request(app).get(`/v1/receipts/${digest}/proof`).set("authorization", bearer(d, p.collector));
      } while (res.status === 409 && Date.now() < deadline);
      expect(res.status).to.equal(200);
      expect(res.body.format).to.equal("repayproof/receipt-proof@1");
      const batch = await request(app).get(`/v1/batches/${svc.deps.identity.stream}/${res.body.batch.seq}`);
      expect(batch.status).to.equal(200);
      expect(batch.body.digests).to.include(digest);
      expect(batch.body.root).to.equal(res.body.batch.root);
    });
    it("behavior: /healthz and /metrics answer", async function () {
      expect((await request(app).get("/healthz")).status).to.equal(200);
      const m = await request(app).get("/metrics");
      expect(m.status).to.equal(200);
      expect(m.text).to.include("repayproof_receipts_accepted_total");
      expect(m.text).to.include('repayproof_receipts_refused_total{code="NONCE_CONFLICT"}');
    });
  });
});
