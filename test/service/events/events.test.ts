import { expect } from "chai";
import request from "supertest";
import { KIND } from "@repayproof/verifier";
import { createApp } from "../../../service/app";
import type { RunningService } from "../../../service/server";
import type { Deployment } from "../../../scripts/lib/deployContracts";
import { waitFor } from "../../helpers/waitFor";
import { startRouteFixture, type RouteFixture } from "../../helpers/routeFixture";
import {
  bearer,
  loanIdOf,
  makeParties,
  makeReceipt,
  boundId,
  randomId,
  signReceipt,
  termsOf,
} from "../../helpers/parties";

/** Polls a synchronous condition. */
const until = (fn: () => boolean, timeoutMs: number): Promise<void> =>
  waitFor("the stream condition", () => Promise.resolve(fn()), timeoutMs, 50);

interface Sse {
  id: number;
  event: string;
  data: Record<string, unknown> & { agreementId: string };
}

/** A real SSE client over fetch: collects events and the raw text until closed. */
class Stream {
  events: Sse[] = [];
  raw = "";
  ended = false;
  /** How it ended: the server ended the body, or this client aborted it. */
  endedBy: "server" | "client" | undefined;
  status = 0;
  contentType = "";
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();

  static async open(url: string, auth: string, headers: Record<string, string> = {}): Promise<Stream> {
    const s = new Stream();
    const res = await fetch(url, { headers: { authorization: auth, ...headers }, signal: s.abort.signal });
    s.status = res.status;
    s.contentType = res.headers.get("content-type") ?? "";
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const dec = new TextDecoder();
    let buf = "";
    s.done = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) {
            s.endedBy = "server";
            break;
          }
          const text = dec.decode(value, { stream: true });
          s.raw += text;
          buf += text;
          let cut: number;
          while ((cut = buf.indexOf("\n\n")) >= 0) {
            const block = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            const f = Object.fromEntries(
              block
                .split("\n")
                .filter((l) => !l.startsWith(":") && l.includes(": "))
                .map((l) => [l.slice(0, l.indexOf(": ")), l.slice(l.indexOf(": ") + 2)]),
            ) as Record<string, string>;
            if (f.event) s.events.push({ id: Number(f.id), event: f.event, data: JSON.parse(f.data ?? "{}") });
          }
        }
      } catch {
        s.endedBy = "client"; // aborted by close()
      }
      s.ended = true;
    })();
    return s;
  }

  of(type: string): Sse[] {
    return this.events.filter((e) => e.event === type);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}

describe("GET /v1/events", function () {
  let d: Deployment;
  let svc: RunningService;
  let f: RouteFixture;
  const p = makeParties();
  const other = makeParties();
  const agreementId = boundId(p);
  const otherId = boundId(other);
  let app: ReturnType<typeof createApp>;
  const open: Stream[] = [];
  const connect = async (auth: string, q = "", headers: Record<string, string> = {}): Promise<Stream> => {
    const s = await Stream.open(`${svc.url}/v1/events${q}`, auth, headers);
    open.push(s);
    return s;
  };
  const post = (it: { item: unknown }) => f.post(it.item);

  before(async function () {
    f = await startRouteFixture({ batchIntervalMs: 300, regulators: [p.regulator.address.toLowerCase()] });
    ({ d, svc, app } = f);
    svc.deps.events.heartbeatMs = 100;
    const short = { ...termsOf(p), graceSecs: 10, settleSecs: 10, forwardSecs: 10, confirmSecs: 10 };
    await f.register(p, agreementId, 1, short);
    await f.register(other, otherId);
  });

  after(async function () {
    for (const s of open) await s.close();
    await f?.close();
  });

  it("behavior: a party hears receipt.accepted, then batch.anchored, with ids, heartbeats and none of other agreements", async function () {
    const funder = await connect(bearer(d, p.funder));
    const stranger = await connect(bearer(d, other.funder));
    expect(funder.status).to.equal(200);
    expect(funder.contentType).to.match(/^text\/event-stream/);
    const { item, digest } = signReceipt(d, makeReceipt(agreementId, p.platform, KIND.DUE), p.platform);
    expect((await post({ item })).status).to.equal(202);
    await until(() => funder.of("batch.anchored").some((e) => JSON.stringify(e.data).includes(digest)), 30_000);
    const accepted = funder.of("receipt.accepted").find((e) => e.data.digest === digest);
    expect(accepted?.data).to.include({ agreementId, kind: "DUE", amount: "125000", currency: 156 });
    const anchored = funder.of("batch.anchored").find((e) => JSON.stringify(e.data).includes(digest)) as Sse;
    expect(anchored.data).to.include.keys(["stream", "seq", "root", "txHash", "blockNumber", "anchoredAt", "receipts"]);
    expect(anchored.id).to.be.greaterThan((accepted as Sse).id);
    const ids = funder.events.map((e) => e.id);
    expect(ids).to.deep.equal([...ids].sort((a, b) => a - b));
    await until(() => /: heartbeat \d+/.test(stranger.raw), 10_000);
    expect(stranger.events.filter((e) => e.data.agreementId === agreementId)).to.deep.equal([]);
  });

  it("behavior: breach.opened once an anchored batch passes a deadline, breach.closed when the stage arrives", async function () {
    const reg = await connect(bearer(d, p.regulator), `?types=breach.opened,breach.closed&agreementId=${agreementId}`);
    const loanId = loanIdOf("events-breach");
    const now = Math.floor(Date.now() / 1000);
    const due = makeReceipt(agreementId, p.platform, KIND.DUE, { loanId, occurredAt: now - 100 });
    expect((await post(signReceipt(d, due, p.platform))).status).to.equal(202);
    await until(() => reg.of("breach.opened").length > 0, 30_000);
    expect(reg.of("breach.opened")[0]?.data).to.include({ agreementId, loanId, installment: 1, stage: "INITIATED" });
    expect(reg.of("breach.opened")[0]?.data.responsible).to.equal("borrower");
    const paid = makeReceipt(agreementId, p.channel, KIND.INITIATED, { loanId });
    expect((await post(signReceipt(d, paid, p.channel))).status).to.equal(202);
    await until(() => reg.of("breach.closed").length > 0, 30_000);
    expect(reg.of("breach.closed")[0]?.data).to.include({
      loanId,
      installment: 1,
      stage: "INITIATED",
      at: paid.occurredAt,
    });
    expect(reg.events.every((e) => e.event.startsWith("breach."))).to.equal(true);
  });

  it("behavior: Last-Event-ID replays the events the reader missed", async function () {
    const s = await connect(bearer(d, p.funder), "?types=receipt.accepted", { "last-event-id": "0" });
    await until(() => s.of("receipt.accepted").length >= 3, 10_000);
    expect(s.events.every((e) => e.data.agreementId === agreementId)).to.equal(true);
  });

  it("behavior: a closed client is unsubscribed", async function () {
    expect(open.length, "streams of the tests above").to.be.greaterThan(0);
    expect(svc.deps.events.active(), "listened to before the clients close").to.equal(true);
    for (const s of open) await s.close();
    expect(open.map((s) => s.endedBy)).to.deep.equal(open.map(() => "client"));
    await until(() => !svc.deps.events.active(), 10_000);
    expect(svc.deps.events.active()).to.equal(false);
  });

  it("error: UNAUTHENTICATED without a bearer token", async function () {
    const res = await request(app).get("/v1/events");
    expect(res.status).to.equal(401);
    expect(res.body.error.code).to.equal("UNAUTHENTICATED");
  });
  it("error: FORBIDDEN when narrowing to an agreement the reader does not belong to", async function () {
    const res = await request(app).get(`/v1/events?agreementId=${otherId}`).set("authorization", bearer(d, p.funder));
    expect(res.status).to.equal(403);
    expect(res.body.error.code).to.equal("FORBIDDEN");
  });
  it("error: NOT_FOUND when narrowing to an agreement the registry does not know", async function () {
    const res = await request(app)
      .get(`/v1/events?agreementId=${randomId()}`)
      .set("authorization", bearer(d, p.funder));
    expect(res.status).to.equal(404);
    expect(res.body.error.code).to.equal("NOT_FOUND");
  });
  for (const [what, q, field] of [
    ["an unknown event type", "?types=receipt.accepted,receipt.eaten", "types"],
    ["an empty type list", "?types=", "types"],
    ["a malformed agreementId", "?agreementId=0x1", "agreementId"],
  ] as const) {
    it(`error: INVALID_BODY for ${what}`, async function () {
      const res = await request(app).get(`/v1/events${q}`).set("authorization", bearer(d, p.funder));
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal("INVALID_BODY");
      expect(res.body.error.details.field).to.equal(field);
    });
  }

  it("behavior: stopping the service ends the open streams at once, and nothing is sent after", async function () {
    const s = await connect(bearer(d, p.funder));
    await until(() => /: heartbeat \d+/.test(s.raw), 10_000); // the stream is live
    const started = Date.now();
    const closing = svc.close();
    await until(() => s.ended, 10_000);
    expect(s.endedBy, "the server ended the stream").to.equal("server");
    expect(Date.now() - started, "the stream ended after (ms)").to.be.below(1_000);
    await closing;
    // Nothing held the server open: not this stream, not the earlier ones its clients aborted, not the spare
    // connections fetch keeps (each would hold it for the 5 s grace period).
    expect(Date.now() - started, "close took (ms)").to.be.below(2_000);
    expect(svc.deps.events.active(), "no listener left").to.equal(false);
    const events = s.events.length;
    const raw = s.raw;
    svc.deps.events.publish("receipt.accepted", agreementId, { digest: randomId() });
    await new Promise((r) => setTimeout(r, 3 * svc.deps.events.heartbeatMs));
    expect(s.events.length, "no event after the stop").to.equal(events);
    expect(s.raw, "not even a heartbeat").to.equal(raw);
    const after = await fetch(`${svc.url}/v1/info`).then(
      (r) => r.status,
      () => "refused",
    );
    expect(after, "the server no longer answers").to.equal("refused");
  });
});
