import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { KIND, verifyTimelineBundle } from "@repayproof/verifier";
import type { ServiceProcess } from "../../scripts/devnet";
import { allBatches } from "../helpers/audit";
import { bearer, boundId, loanIdOf, makeParties, makeReceipt, signReceipt } from "../helpers/parties";
import type { Json, SpawnFixture } from "../helpers/spawnFixture";
import { startTwoInstances, type TwoInstances } from "../helpers/twoInstances";
import { waitFor } from "../helpers/waitFor";
import { getJson, postJson } from "../../scripts/devnet";

/** The digests of `receipt.accepted` events an SSE stream delivers, until `stop()`. */
async function listen(url: string, auth: string): Promise<{ digests: Set<string>; stop: () => void }> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { authorization: auth }, signal: abort.signal });
  expect(res.status).to.equal(200);
  const digests = new Set<string>();
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const dec = new TextDecoder();
  let buf = "";
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += dec.decode(value, { stream: true });
        for (const m of buf.matchAll(/event: receipt\.accepted\ndata: .*?"digest":"(0x[0-9a-f]{64})"/g))
          digests.add(m[1]!);
        buf = buf.slice(Math.max(0, buf.lastIndexOf("\n\n")));
      }
    } catch {
      // aborted
    }
  })();
  return { digests, stop: () => abort.abort() };
}

/**
 * Posts `items` to the instance at `url`, again while it does not know their agreement yet (an instance learns
 * of an agreement from the chain); asserts every one accepted, and returns their digests.
 */
async function postUntilKnown(url: string, items: readonly { item: unknown }[]): Promise<string[]> {
  const body = { items: items.map((x) => x.item) };
  let res = await postJson<Json>(`${url}/v1/receipts`, body);
  for (
    let tries = 0;
    res.body.results?.some((r: Json) => r.error?.code === "UNKNOWN_AGREEMENT") && tries < 50;
    tries++
  ) {
    await new Promise((r) => setTimeout(r, 200));
    res = await postJson<Json>(`${url}/v1/receipts`, body);
  }
  expect(res.status, JSON.stringify(res.body)).to.equal(202);
  return (res.body.results as Json[]).map((r) => {
    expect(r.ack, JSON.stringify(r)).to.not.equal(undefined);
    return r.digest as string;
  });
}

describe("several instances on one PostgreSQL database", function () {
  this.timeout(300_000);
  let two: TwoInstances | undefined;
  let f: SpawnFixture | undefined;
  let b: ServiceProcess | undefined;
  const p = makeParties();

  before(async function () {
    two = await startTwoInstances(this, { BATCH_INTERVAL_MS: "200", WORKERS: "0" });
    ({ f, b } = two);
  });

  after(async function () {
    await two?.close();
  });

  it("behavior: either accepts any receipt, serves every proof, anchors only its own stream, answers a receipt the other accepted with its status there, and A's listeners hear B's receipts", async function () {
    const fx = f!;
    const urls = [fx.url, b!.url];
    const agreementId = boundId(p);
    await fx.register(p, agreementId);
    const auth = bearer(fx.d, p.platform);
    const streams = await Promise.all(
      urls.map(async (u) => (await getJson<Json>(`${u}/v1/info`)).body.stream as string),
    );
    expect(streams[0]).to.not.equal(streams[1]);
    const heard = await listen(`${urls[0]}/v1/events?types=receipt.accepted`, auth);

    // Receipts posted alternately to A and B; B must first learn of the agreement from the chain.
    const sentTo: [string[], string[]] = [[], []];
    const toB: { item: unknown }[] = [];
    for (let i = 0; i < 8; i++) {
      const to = i % 2;
      const items = Array.from({ length: 5 }, () =>
        signReceipt(fx.d, makeReceipt(agreementId, p.platform, KIND.DUE), p.platform),
      );
      sentTo[to]!.push(...(await postUntilKnown(urls[to]!, items)));
      if (to === 1) toB.push(...items);
    }

    // The database decides a nonce taken through the other instance.
    const first = signReceipt(fx.d, makeReceipt(agreementId, p.platform, KIND.DUE, { nonce: 424242n }), p.platform);
    const clash = signReceipt(fx.d, makeReceipt(agreementId, p.platform, KIND.DUE, { nonce: 424242n }), p.platform);
    expect((await postJson<Json>(`${urls[0]}/v1/receipts`, first.item)).status).to.equal(202);
    const refused = await postJson<Json>(`${urls[1]}/v1/receipts`, clash.item);
    expect(refused.status, JSON.stringify(refused.body)).to.equal(409);
    expect(refused.body.error.code).to.equal("NONCE_CONFLICT");
    sentTo[0].push(first.digest);

    await waitFor(
      "A's listener to hear B's receipts",
      async () => sentTo[1].every((d) => heard.digests.has(d)),
      30_000,
      50,
    );
    heard.stop();

    for (const [i, digests] of sentTo.entries()) {
      for (const digest of digests) {
        for (const u of urls) {
          let proof: Json;
          let last = "";
          await waitFor(
            `the proof of ${digest} from ${u} (${i})`,
            async () => {
              const r = await getJson<Json>(`${u}/v1/receipts/${digest}/proof`, auth);
              proof = r.body;
              if (r.status !== 200) last = JSON.stringify(r.body).slice(0, 300);
              return r.status === 200;
            },
            60_000,
            200,
          ).catch(async (e: Error) => {
            const h = JSON.stringify((await getJson<Json>(`${urls[i]}/healthz`)).body);
            throw new Error(`${e.message}: ${last} ${h} ${b!.output().slice(-1500)}`);
          });
          expect(proof!.batch.stream, "sealed in the stream of the instance that accepted it").to.equal(streams[i]);
        }
      }
    }
    // Resubmitted to A, a receipt B accepted is answered with B's Ack and the status of B's batch.
    const again = await postJson<Json>(`${urls[0]}/v1/receipts`, { items: toB.slice(0, 5).map((x) => x.item) });
    expect(again.status, JSON.stringify(again.body)).to.equal(202);
    for (const r of again.body.results as Json[]) {
      expect(r.ack, JSON.stringify(r)).to.not.equal(undefined);
      expect(["anchored", "final"], JSON.stringify(r)).to.include(r.status);
    }
    for (const [i, u] of urls.entries()) {
      const sealed = (await allBatches(u, streams[i]!)).flatMap((x) => x.digests ?? []);
      if (sealed.length > 0) expect(new Set(sealed)).to.deep.equal(new Set(sentTo[i]));
    }
  });

  it("behavior: a loan's timeline from either instance shows every receipt anchored in its own stream, with one completeness entry per stream; verify-timeline passes COMPLETE, and fails it without any one event; reconciliation counts none pending", async function () {
    const fx = f!;
    const urls = [fx.url, b!.url];
    const agreementId = boundId(p);
    await fx.register(p, agreementId);
    const auth = bearer(fx.d, p.platform);
    const loanId = loanIdOf("loan-of-two-streams");
    const streams = await Promise.all(
      urls.map(async (u) => ((await getJson<Json>(`${u}/v1/info`)).body.stream as string).toLowerCase()),
    );
    // The loan's receipts posted alternately to A and B: each instance seals its own in its own stream.
    const sentTo: [string[], string[]] = [[], []];
    for (let i = 0; i < 6; i++) {
      const items = [1, 2].map(() =>
        signReceipt(fx.d, makeReceipt(agreementId, p.platform, KIND.DUE, { loanId }), p.platform),
      );
      sentTo[i % 2]!.push(...(await postUntilKnown(urls[i % 2]!, items)));
    }

    const provider = new JsonRpcProvider(fx.node.url, undefined, { cacheTimeout: -1 });
    try {
      for (const u of urls) {
        let t: Json = {};
        await waitFor(
          `the timeline from ${u}: every event anchored, an entry per stream`,
          async () => {
            t = (await getJson<Json>(`${u}/v1/loans/${loanId}/timeline`, auth)).body;
            return t.events?.every((e: Json) => e.status !== "pending") && t.completeness?.length === 2;
          },
          60_000,
          200,
        ).catch((e: Error) => {
          throw new Error(`${e.message}: ${JSON.stringify(t).slice(0, 600)}`);
        });
        const streamOf = new Map<string, string>(t.events.map((e: Json) => [e.digest, e.batch.stream.toLowerCase()]));
        for (const [i, digests] of sentTo.entries()) {
          for (const d of digests) expect(streamOf.get(d), `${d} from ${u}`).to.equal(streams[i]);
        }
        expect(t.completeness.map((e: Json) => e.stream).sort()).to.deep.equal([...streams].sort());
        const { completeness } = (await getJson<Json>(`${u}/v1/loans/${loanId}/completeness`, auth)).body;
        expect(completeness.map((e: Json) => e.stream).sort()).to.deep.equal([...streams].sort());

        const complete = async (timeline: Json) =>
          (await verifyTimelineBundle(timeline, { provider })).checks.find((c) => c.check === "COMPLETE");
        const r = await verifyTimelineBundle(t, { provider });
        expect(r.checks.find((c) => c.check === "COMPLETE")?.status, JSON.stringify(r.checks)).to.equal("pass");
        expect(r.valid, JSON.stringify(r.checks)).to.equal(true);
        // Without one event of either stream, that stream's entry counts a receipt the timeline withholds.
        for (const digests of sentTo) {
          const without = { ...t, events: t.events.filter((e: Json) => e.digest !== digests[0]) };
          expect((await complete(without))?.code, `${u} without ${digests[0]}`).to.equal("COMPLETE_MISSING");
        }
        // Reconciliation reads the same anchors: none of the loan's receipts is pending, whichever stream sealed it.
        const rec = await getJson<Json>(`${u}/v1/reconciliation?agreementId=${agreementId}`, auth);
        expect(rec.status, JSON.stringify(rec.body)).to.equal(200);
        expect([rec.body.receipts, rec.body.pending], u).to.deep.equal([12, 0]);
      }
    } finally {
      provider.destroy();
    }
  });
});
