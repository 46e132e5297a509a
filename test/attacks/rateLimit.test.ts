import http from "node:http";
import { expect } from "chai";
import request from "supertest";
import { KIND } from "@repayproof/verifier";
import { createApp } from "../../service/app";
import type { Config } from "../../service/config";
import { startRouteFixture, type RouteFixture } from "../helpers/routeFixture";
import { bearer, makeParties, makeReceipt, boundId, randomId, signReceipt } from "../helpers/parties";
import { expectRefused } from "../helpers/refusal";

/**
 * Finding 3: the rate limit was keyed by the first 42 characters of whatever `Bearer` text came in (a fresh
 * bucket per made-up token; a victim's bucket emptied by tokens naming its address), knew no proxy, and
 * nothing bounded requests in flight or the ingest workers' queue.
 */
describe("attack: rate limit, requests in flight, worker queue", function () {
  let f: RouteFixture;
  const p = makeParties();
  const agreementId = boundId(p);
  const appWith = (over: Partial<Config>): ReturnType<typeof createApp> =>
    createApp({ ...f.svc.deps, config: { ...f.svc.deps.config, ...over } });

  before(async function () {
    f = await startRouteFixture();
    await f.register(p, agreementId);
  });
  after(async () => f?.close());

  it("error: RATE_LIMITED with Retry-After for made-up tokens (each does not get a bucket of its own)", async function () {
    const app = appWith({ rateLimitRps: 1 });
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 6; i++) {
      const fake = `Bearer 0x${randomId().slice(2, 42)}.${Math.floor(Date.now() / 1000) + 60}.0x${"11".repeat(65)}`;
      last = await request(app).get("/v1/info").set("authorization", fake);
      statuses.push(last.status);
    }
    expect(statuses.filter((s) => s === 429).length).to.be.at.least(3);
    expectRefused(last as request.Response, "RATE_LIMITED");
  });

  it("behavior: with several instances on one database each allows its share of RATE_LIMIT_RPS", async function () {
    const burst = async (instances?: { count(): number }): Promise<number> => {
      const app = createApp({
        ...f.svc.deps,
        config: { ...f.svc.deps.config, rateLimitRps: 4 },
        ...(instances ? { instances } : {}),
      });
      let ok = 0;
      for (let i = 0; i < 10; i++) if ((await request(app).get("/v1/info")).status === 200) ok++;
      return ok;
    };
    expect(await burst(), "alone: a burst of 2 × 4").to.equal(8);
    expect(await burst({ count: () => 4 }), "one of four: a burst of 2 × 1").to.equal(2);
  });

  it("behavior: forged tokens naming a victim do not empty the victim's bucket", async function () {
    const app = appWith({ rateLimitRps: 1 });
    const exp = Math.floor(Date.now() / 1000) + 600;
    const forged = `Bearer ${p.funder.address}.${exp}.0x${"22".repeat(65)}`;
    for (let i = 0; i < 5; i++) await request(app).get("/v1/info").set("authorization", forged);
    const victim = await request(app).get("/v1/info").set("authorization", bearer(f.d, p.funder));
    expect(victim.status, "the victim's own token has its own bucket").to.equal(200);
  });

  it("behavior: behind a trusted proxy each client has its bucket; an untrusted X-Forwarded-For is ignored", async function () {
    const trusted = appWith({ rateLimitRps: 1, trustProxy: "loopback" });
    for (let i = 0; i < 4; i++) await request(trusted).get("/v1/info").set("x-forwarded-for", "203.0.113.7");
    expect((await request(trusted).get("/v1/info").set("x-forwarded-for", "203.0.113.8")).status).to.equal(200);
    expectRefused(await request(trusted).get("/v1/info").set("x-forwarded-for", "203.0.113.7"), "RATE_LIMITED");

    const direct = appWith({ rateLimitRps: 1, trustProxy: false });
    let res: request.Response | undefined;
    for (let i = 0; i < 5; i++) res = await request(direct).get("/v1/info").set("x-forwarded-for", `198.51.100.${i}`);
    expectRefused(res as request.Response, "RATE_LIMITED");
  });

  it("error: BACKLOG_FULL with Retry-After past MAX_IN_FLIGHT (a slow body holds its place)", async function () {
    const server = appWith({ maxInFlight: 1 }).listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const port = (server.address() as { port: number }).port;
    const slow = http.request({ port, host: "127.0.0.1", method: "POST", path: "/v1/receipts" });
    slow.on("error", () => undefined);
    slow.setHeader("content-length", "100000");
    slow.write("{");
    try {
      await new Promise((r) => setTimeout(r, 200));
      const res = await fetch(`http://127.0.0.1:${port}/v1/info`);
      expectRefused(
        {
          status: res.status,
          body: await res.json(),
          headers: { "retry-after": res.headers.get("retry-after") ?? "" },
        },
        "BACKLOG_FULL",
      );
    } finally {
      slow.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it("error: BACKLOG_FULL with Retry-After when the ingest workers' queue is full; nothing stored", async function () {
    const pool = f.svc.deps.pool;
    const before = pool.maxQueued;
    pool.maxQueued = 1;
    try {
      const items = Array.from({ length: 50 }, () =>
        signReceipt(f.d, makeReceipt(agreementId, p.platform, KIND.DUE), p.platform),
      );
      const answers = await Promise.all(items.map((it) => f.post({ items: [it.item] })));
      const refused = answers.filter((a) => a.status === 503);
      expect(refused.length, "some requests found the queue full").to.be.greaterThan(0);
      for (const a of refused) expectRefused(a, "BACKLOG_FULL");
      for (const [i, a] of answers.entries()) {
        const stored = await f.svc.deps.store.getReceipt((items[i] as { digest: string }).digest);
        expect(stored !== undefined, "stored only when accepted").to.equal(a.status === 202);
      }
    } finally {
      pool.maxQueued = before;
    }
  });
});
