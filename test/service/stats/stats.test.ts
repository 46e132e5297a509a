import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import request from "supertest";
import { KIND, verifyTimelineBundle, type Evaluation } from "@repayproof/verifier";
import type { Deployment } from "../../../scripts/lib/deployContracts";
import { STATS_WATERMARK } from "../../../service/stats/StatsIndexer";
import { startRouteFixture, type RouteFixture } from "../../helpers/routeFixture";
import { bearer, makeParties, makeReceipt, boundId, randomId, signReceipt } from "../../helpers/parties";
import { waitFor } from "../../helpers/waitFor";
import { expectedFigures, type Behind } from "../../../scripts/lib/expectedFigures";
import { statsLoans, statsTerms } from "./statsLoans";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read field by field
type Json = any;

describe("GET /v1/stats", function () {
  this.timeout(240_000);
  let f: RouteFixture;
  let d: Deployment;
  const p = makeParties();
  const q = makeParties();
  const channel2 = makeParties().channel;
  const agreementId = boundId(p);
  const otherId = boundId(q);
  const now = Math.floor(Date.now() / 1000);
  let loanIds: string[] = [];
  let digests = new Map<string, string>();
  let asOf = 0;
  const evaluations = new Map<string, Evaluation>();

  const get = (path: string, auth?: string) => {
    const req = request(f.app).get(path);
    return auth ? req.set("authorization", auth) : req;
  };
  const stats = (query: string, who = p.regulator) =>
    get(`/v1/stats?agreementId=${agreementId}${query}`, bearer(d, who));
  const keyed = (body: Json): Map<string, Json> =>
    new Map(
      body.stages.map((s: Json) => [
        `${s.stage}|${s.responsible ?? ""}`,
        (({ stage: _s, responsible: _r, ...rest }) => rest)(s),
      ]),
    );

  before(async function () {
    f = await startRouteFixture({ batchIntervalMs: 3_600_000, regulators: [p.regulator.address.toLowerCase()] });
    d = f.d;
    await f.register(p, agreementId, 1, statsTerms(p, channel2));
    await f.register(q, otherId);
    const made = statsLoans(d, p, channel2, agreementId, now, 24, agreementId);
    ({ loanIds, digests } = made);
    const res = await f.post({ items: made.items });
    expect(res.status).to.equal(202);
    expect(
      res.body.results.every((r: Json) => r.digest),
      JSON.stringify(res.body),
    ).to.equal(true);
    await anchorAndEvaluate(loanIds);
  });

  after(async function () {
    await f?.close();
  });

  /** Seals, waits for the anchor and the stats index, then recomputes `ids`' evaluations from their verified timelines. */
  async function anchorAndEvaluate(ids: readonly string[]): Promise<void> {
    await f.svc.pipeline.batcher.seal();
    const store = f.svc.deps.store;
    await waitFor("the batch anchored and taken into the stats index", async () => {
      const last = await store.lastBatch();
      return last !== undefined && (await store.getMeta<number>(STATS_WATERMARK)) === last.seq;
    });
    asOf = (await store.latestAnchoredAt()) as number;
    // Each loan's timeline, verified against the chain: the verifier's own evaluation is what stats must equal.
    const provider = new JsonRpcProvider(f.node.url, undefined, { staticNetwork: true });
    try {
      for (const loanId of ids) {
        const t = await get(`/v1/loans/${loanId}/timeline`, bearer(d, p.funder));
        expect(t.status).to.equal(200);
        const r = await verifyTimelineBundle(t.body, { provider });
        expect(r.valid, JSON.stringify(r.checks)).to.equal(true);
        expect(r.now).to.equal(asOf);
        evaluations.set(loanId, r.evaluation as Evaluation);
      }
    } finally {
      provider.destroy();
    }
  }

  function expectFiguresEqual(body: Json, from: number, to: number): Behind[] {
    const { rows, behind } = expectedFigures(evaluations, from, to);
    expect(body.asOf).to.equal(asOf);
    expect(keyed(body)).to.deep.equal(rows);
    return behind;
  }

  it("behavior: every figure equals the one recomputed from the loans' verified timelines", async function () {
    const res = await stats("", p.funder);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const behind = expectFiguresEqual(res.body, 0, 1e12 - 1);
    // The data has every kind of figure, so none is trivially equal.
    for (const figure of ["judged", "late", "open", "backdated", "duration"]) {
      expect(
        behind.some((b) => b.figure === figure),
        figure,
      ).to.equal(true);
    }
    expect(res.body.stages.map((s: Json) => s.responsible)).to.include.members([
      channel2.address,
      p.channel.address,
      p.collector.address,
    ]);
  });

  it("behavior: a window cut mid-day sums whole days' totals and the cut days' stages alike", async function () {
    for (const [from, to] of [
      [now - 2.5 * 86_400, now - 0.5 * 86_400],
      [now - 4 * 86_400 + 7, now],
      [now - 3_600 - 5_000, now - 3_600 - 1_000],
    ].map(([a, b]) => [Math.floor(a as number), Math.floor(b as number)] as const)) {
      const res = await stats(`&from=${from}&to=${to}`);
      expect(res.status).to.equal(200);
      expect(res.body.from).to.equal(from);
      expectFiguresEqual(res.body, from, to);
    }
  });

  it("behavior: each figure lists the stages behind it, page by page", async function () {
    const { behind } = expectedFigures(evaluations, 0, 1e12 - 1);
    const groups = new Map<string, Behind[]>();
    for (const b of behind) {
      const k = `${b.figure}|${b.stage}|${b.responsible ?? ""}`;
      groups.set(k, [...(groups.get(k) ?? []), b]);
    }
    for (const [k, want] of groups) {
      const [figure, stage, responsible] = k.split("|") as [string, string, string];
      const got: Json[] = [];
      let cursor: string | null = null;
      do {
        const page: Json = await get(
          `/v1/stats/loans?agreementId=${agreementId}&figure=${figure}&stage=${stage}&responsible=${responsible}&limit=2` +
            (cursor ? `&cursor=${cursor}` : ""),
          bearer(d, p.platform),
        );
        expect(page.status, JSON.stringify(page.body)).to.equal(200);
        expect(page.body.loans.length).to.be.at.most(2);
        got.push(...page.body.loans);
        cursor = page.body.nextCursor;
      } while (cursor !== null);
      const ids = (xs: { loanId: string; installment: number; lateBySecs: number }[]) =>
        xs.map((x) => `${x.loanId}:${x.installment}:${x.lateBySecs}`).sort();
      expect(ids(got), k).to.deep.equal(ids(want));
    }
  });

  it("behavior: CSV by ?format=csv and by Accept: text/csv, the same numbers as the JSON", async function () {
    const json = (await stats("")).body;
    const csv = await stats("&format=csv");
    expect(csv.status).to.equal(200);
    expect(csv.headers["content-type"]).to.match(/^text\/csv/);
    const byAccept = await get(`/v1/stats?agreementId=${agreementId}`, bearer(d, p.regulator)).set(
      "accept",
      "text/csv",
    );
    expect(byAccept.text).to.equal(csv.text);
    const lines = csv.text.trim().split("\r\n");
    expect(lines[0]).to.match(/^agreementId,from,to,asOf,stage,responsible,judged,late,lateP50/);
    expect(lines.length).to.equal(json.stages.length + 1);
    const first = json.stages[0];
    expect(lines[1]?.split(",").slice(4, 8)).to.deep.equal([
      first.stage,
      first.responsible ?? "",
      `${first.judged}`,
      `${first.late}`,
    ]);
    const loans = await get(`/v1/stats/loans?agreementId=${agreementId}&figure=late&format=csv`, bearer(d, p.funder));
    expect(loans.status).to.equal(200);
    expect(loans.text.split("\r\n")[0]).to.equal(
      "loanId,installment,stage,responsible,at,lateBySecs,open,backdated,duration",
    );
  });

  it("behavior: a loan's later receipts replace its share: a breach closed, a late stage voided", async function () {
    const t = Math.floor(Date.now() / 1000) - 5;
    const forwarded = makeReceipt(agreementId, p.collector, KIND.FORWARDED, {
      loanId: loanIds[2],
      installment: 1,
      occurredAt: t,
    });
    const voided = makeReceipt(agreementId, p.collector, KIND.VOIDED, {
      loanId: loanIds[3],
      installment: 2,
      occurredAt: t,
      ref: digests.get("3:3") as string,
    });
    const res = await f.post({
      items: [signReceipt(d, forwarded, p.collector).item, signReceipt(d, voided, p.collector).item],
    });
    expect(
      res.body.results.every((r: Json) => r.digest),
      JSON.stringify(res.body),
    ).to.equal(true);
    const before = (await stats("")).body;
    await anchorAndEvaluate(loanIds); // all of them: a later anchor is a later `now` for every open breach
    const after = (await stats("")).body;
    expect(after).to.not.deep.equal(before);
    expectFiguresEqual(after, 0, 1e12 - 1);
  });

  it("behavior: the index survives a restart, and a rebuild from the batches gives the same figures", async function () {
    const before = (await stats("")).body;
    await f.restart();
    expect((await stats("")).body).to.deep.equal(before);
    await f.svc.stats.rebuild();
    expect((await stats("")).body).to.deep.equal(before);
  });

  it("error: UNAUTHENTICATED without a token or with an expired one", async function () {
    for (const auth of [undefined, bearer(d, p.funder, -10)]) {
      const res = await get(`/v1/stats?agreementId=${agreementId}`, auth);
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal("UNAUTHENTICATED");
    }
  });

  it("error: FORBIDDEN for an outsider, another agreement's party, and any share grant", async function () {
    for (const who of [p.outsider, q.funder]) {
      const res = await stats("", who);
      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal("FORBIDDEN");
    }
    const share = `${agreementId}.${loanIds[1]}.0x${"00".repeat(20)}.${now + 3600}.${p.funder.address}.0x${"11".repeat(65)}`;
    for (const res of [
      await get(`/v1/stats?agreementId=${agreementId}`, `Share ${share}`),
      await get(`/v1/stats/loans?agreementId=${agreementId}&share=${share}`),
    ]) {
      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal("FORBIDDEN");
    }
    // The other agreement's own party reads it; a regulator reads both.
    expect((await get(`/v1/stats?agreementId=${otherId}`, bearer(d, q.funder))).status).to.equal(200);
    expect((await get(`/v1/stats?agreementId=${otherId}`, bearer(d, p.regulator))).status).to.equal(200);
  });

  it("error: INVALID_BODY for a missing or malformed agreementId, from after to, a limit out of range", async function () {
    const auth = bearer(d, p.regulator);
    for (const query of [
      "",
      "?agreementId=0x1234",
      `?agreementId=${agreementId.slice(0, -1)}z`,
      `?agreementId=${agreementId}&from=10&to=9`,
      `?agreementId=${agreementId}&from=-1`,
      `?agreementId=${agreementId}&bogus=1`,
      `?agreementId=${agreementId}&format=xml`,
    ]) {
      const res = await get(`/v1/stats${query}`, auth);
      expect(res.status, query).to.equal(400);
      expect(res.body.error.code).to.equal("INVALID_BODY");
    }
    for (const query of ["&limit=0", "&limit=1001", "&limit=x", "&figure=slow", "&stage=PAID", "&cursor=%00"]) {
      const res = await get(`/v1/stats/loans?agreementId=${agreementId}${query}`, auth);
      expect(res.status, query).to.equal(400);
      expect(res.body.error.code).to.equal("INVALID_BODY");
    }
    const unknown = await get(`/v1/stats?agreementId=${randomId()}`, auth);
    expect(unknown.status).to.equal(404);
    expect(unknown.body.error.code).to.equal("NOT_FOUND");
  });
});
