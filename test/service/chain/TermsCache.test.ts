import { expect } from "chai";
import pino from "pino";
import { TermsCache } from "../../../service/chain/TermsCache";
import { ApiError } from "../../../service/errors";
import { startChainFixture, type ChainFixture } from "../../helpers/chainFixture";
import { makeParties, boundId, termsOf } from "../../helpers/parties";

describe("TermsCache (a real node, reached through a proxy the test can cut)", function () {
  this.timeout(120_000);
  let c: ChainFixture;
  const p = makeParties();
  let rpcErrors: number;
  const silent = pino({ level: "silent" });
  const cache = (): TermsCache => new TermsCache(c.chain, c.store, silent, () => rpcErrors++);

  before(async function () {
    c = await startChainFixture({ proxy: true });
  });

  beforeEach(function () {
    rpcErrors = 0;
  });

  after(async function () {
    await c?.close();
  });

  it("behavior: a cached agreement costs no RPC, in memory and after a restart from disk", async function () {
    const id = boundId(p);
    await c.registerOnChain(p, id);
    const terms = cache();
    const versions = await terms.get(id);
    expect(versions?.map((v) => v.version)).to.deep.equal([1]);
    expect(versions?.[0]?.terms.funder).to.equal(p.funder.address);
    expect(await c.store.getTerms(id), "kept on disk").to.deep.equal(versions);

    const sent = c.proxy!.bytesUp();
    expect(await terms.get(id.toUpperCase().replace("0X", "0x"))).to.deep.equal(versions);
    expect(c.proxy!.bytesUp(), "bytes sent to the node").to.equal(sent);
    await c.proxy!.cut();
    try {
      expect(await terms.get(id), "with the chain unreachable").to.deep.equal(versions);
      expect(await cache().get(id), "a new cache (a restart) reads the disk").to.deep.equal(versions);
      expect(rpcErrors).to.equal(0);
    } finally {
      await c.proxy!.restore();
    }
  });

  it("behavior: an amendment seen in the registry's events is re-read; agreements not held are not", async function () {
    const q = makeParties();
    const id = boundId(p);
    const other = boundId(q);
    await c.registerOnChain(p, id);
    await c.registerOnChain(q, other);
    const terms = cache();
    await terms.initPoll();
    expect((await terms.get(id))?.map((v) => v.version)).to.deep.equal([1]);

    await c.registerOnChain(p, id, 2, { ...termsOf(p), forwardSecs: 7 });
    await c.registerOnChain(q, other, 2, { ...termsOf(q), forwardSecs: 9 });
    expect(
      (await terms.get(id))?.map((v) => v.version),
      "until the events are polled",
    ).to.deep.equal([1]);
    await terms.poll();
    const amended = await terms.get(id);
    expect(amended?.map((v) => [v.version, v.terms.forwardSecs])).to.deep.equal([
      [1, 86400],
      [2, 7],
    ]);
    expect(await c.store.getTerms(id)).to.deep.equal(amended);
    expect(await c.store.getTerms(other), "never asked for: not read").to.equal(undefined);
    expect(await c.store.getMeta<number>("termsBlock"), "polled up to the head").to.equal(
      await c.provider.getBlockNumber(),
    );
  });

  it("error: CHAIN_UNAVAILABLE when the registry must be read and the RPC is unreachable", async function () {
    const id = boundId(p);
    await c.registerOnChain(p, id);
    const terms = cache();
    await c.proxy!.cut();
    try {
      const err = await terms.get(id).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(ApiError);
      expect((err as ApiError).code).to.equal("CHAIN_UNAVAILABLE");
      expect(rpcErrors).to.equal(1);
      expect(await c.store.getTerms(id)).to.equal(undefined);
    } finally {
      await c.proxy!.restore();
    }
    // Not remembered as a failure: once the chain is back, the same cache reads it.
    expect((await terms.get(id))?.map((v) => v.version)).to.deep.equal([1]);
  });

  it("behavior: an agreement the registry does not know is undefined, and nothing is stored", async function () {
    const id = boundId(p);
    expect(await cache().get(id)).to.equal(undefined);
    expect(await c.store.getTerms(id)).to.equal(undefined);
  });
});
