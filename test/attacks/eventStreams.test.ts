import net from "node:net";
import { expect } from "chai";
import { startRouteFixture, type RouteFixture } from "../helpers/routeFixture";
import { bearer, makeParties, randomId, type Parties } from "../helpers/parties";
import { expectRefused } from "../helpers/refusal";
import { waitFor } from "../helpers/waitFor";

/**
 * Finding 5: `GET /v1/events` had no bound: one party could open streams until the service ran out of sockets
 * and memory, a reader that never reads made the service buffer every event for it, and a stream outlived
 * the token that opened it (tokens are bounded to 24 h; a stream was not).
 */
describe("attack: event streams", function () {
  let f: RouteFixture;
  let p: Parties;
  const open: AbortController[] = [];

  before(async function () {
    p = makeParties();
    f = await startRouteFixture({
      sseMax: 3,
      sseMaxPerParty: 2,
      sseBufferBytes: 8192,
      regulators: [p.regulator.address.toLowerCase()],
    });
  });
  after(async function () {
    for (const a of open) a.abort();
    await f?.close();
  });

  /** Opens a stream; refusals come back with their JSON body. */
  async function connect(auth: string): Promise<{ status: number; body: unknown; headers: Record<string, string> }> {
    const abort = new AbortController();
    open.push(abort);
    const res = await fetch(`${f.svc.url}/v1/events`, { headers: { authorization: auth }, signal: abort.signal });
    const headers = { "retry-after": res.headers.get("retry-after") ?? "" };
    return { status: res.status, body: res.status === 200 ? undefined : await res.json(), headers };
  }

  it("error: QUOTA_EXCEEDED past a party's streams, BACKLOG_FULL past all streams, both with Retry-After", async function () {
    const a = makeParties().funder;
    const b = makeParties().funder;
    const c = makeParties().funder;
    expect((await connect(bearer(f.d, a))).status).to.equal(200);
    expect((await connect(bearer(f.d, a))).status).to.equal(200);
    expectRefused(await connect(bearer(f.d, a)), "QUOTA_EXCEEDED");
    expect((await connect(bearer(f.d, b))).status).to.equal(200);
    expectRefused(await connect(bearer(f.d, c)), "BACKLOG_FULL");
    for (const x of open.splice(0)) x.abort();
    await waitFor("the streams to close", () => Promise.resolve(!f.svc.deps.events.active()), 5_000, 20);
    expect((await connect(bearer(f.d, c))).status, "closed streams give their places back").to.equal(200);
    for (const x of open.splice(0)) x.abort();
    await waitFor("the streams to close", () => Promise.resolve(!f.svc.deps.events.active()), 5_000, 20);
  });

  it("behavior: a reader that does not read is dropped once SSE_BUFFER_BYTES are unsent", async function () {
    const hub = f.svc.deps.events;
    const socket = net.connect(f.svc.port, "127.0.0.1");
    socket.on("error", () => undefined);
    await new Promise((r) => socket.once("connect", r));
    socket.write(`GET /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: ${bearer(f.d, p.regulator)}\r\n\r\n`);
    socket.pause(); // never reads: the kernel's buffers fill, then Node's
    await waitFor("the stream to open", () => Promise.resolve(hub.active()), 5_000, 20);
    const agreementId = randomId();
    const pad = "x".repeat(16_384);
    let published = 0;
    while (hub.active() && published < 20_000) {
      hub.publish("receipt.accepted", agreementId, { pad });
      published++;
      if (published % 100 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    expect(hub.active(), "the slow reader was dropped").to.equal(false);
    expect(published * pad.length, "dropped long before it held everything").to.be.lessThan(200 * 1024 * 1024);
    socket.destroy();
  });

  it("behavior: a stream ends when its token expires", async function () {
    const res = await fetch(`${f.svc.url}/v1/events`, {
      headers: { authorization: bearer(f.d, p.funder, 2) },
      signal: AbortSignal.timeout(15_000),
    });
    expect(res.status).to.equal(200);
    const text = await res.text(); // resolves only when the server ends the stream
    expect(text).to.include("event: token.expired");
  });
});
