import { expect } from "chai";
import { KIND } from "@repayproof/verifier";
import { startRouteFixture, type RouteFixture } from "../helpers/routeFixture";
import { makeParties, makeReceipt, boundId, randomId, signReceipt } from "../helpers/parties";

/**
 * Finding 10: every receipt naming an unknown agreement cost a registry read, every time: one body of a
 * thousand made-up agreement ids was a thousand RPC calls, repeatable at will. Unknown answers are now
 * remembered for a time; the count of registry reads (not timing) shows it.
 */
describe("attack: many unknown agreements in one body", function () {
  let f: RouteFixture;
  const p = makeParties();
  const N = 200;

  before(async function () {
    f = await startRouteFixture();
  });
  after(async () => f?.close());

  const body = (ids: string[]): { items: unknown[] } => ({
    items: ids.map((id) => signReceipt(f.d, makeReceipt(id, p.platform, KIND.DUE), p.platform).item),
  });
  const codes = (res: { body: { results: { error?: { code: string } }[] } }): string[] =>
    res.body.results.map((r) => r.error?.code ?? "accepted");

  it("behavior: a repeated body of unknown agreements costs no registry read; each is still UNKNOWN_AGREEMENT", async function () {
    const terms = f.svc.deps.terms;
    const ids = Array.from({ length: N }, randomId);
    const reads0 = terms.registryReads;
    const first = await f.post(body(ids));
    expect(first.status).to.equal(202);
    expect(new Set(codes(first))).to.deep.equal(new Set(["UNKNOWN_AGREEMENT"]));
    expect(terms.registryReads - reads0).to.equal(N);

    const reads1 = terms.registryReads;
    for (let i = 0; i < 3; i++) {
      const again = await f.post(body(ids));
      expect(new Set(codes(again))).to.deep.equal(new Set(["UNKNOWN_AGREEMENT"]));
    }
    expect(terms.registryReads, "no registry read on repeat").to.equal(reads1);
  });

  it("behavior: the negative answer expires, and registering the agreement clears it at once", async function () {
    const terms = f.svc.deps.terms;
    const id = boundId(p);
    expect(codes(await f.post(body([id])))).to.deep.equal(["UNKNOWN_AGREEMENT"]);
    await f.register(p, id); // relayed: the service re-reads it
    expect(codes(await f.post(body([id])))).to.deep.equal(["accepted"]);

    const ttl = terms.negativeTtlMs;
    terms.negativeTtlMs = 50;
    try {
      const other = randomId();
      await f.post(body([other]));
      await new Promise((r) => setTimeout(r, 100));
      const reads = terms.registryReads;
      await f.post(body([other]));
      expect(terms.registryReads, "expired: read again").to.equal(reads + 1);
    } finally {
      terms.negativeTtlMs = ttl;
    }
  });
});
