import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";
import pg from "pg";
import { LiveInstances } from "../../../service/store/postgres/LiveInstances";
import { MIGRATIONS } from "../../../service/store/postgres/migrations";
import { PgStore } from "../../../service/store/postgres/PgStore";
import { isUnavailable, PgStoreError } from "../../../service/store/postgres/PgStoreError";
import { type PgCluster } from "../../../scripts/devnet";
import { pgClusterOrSkip } from "../../helpers/pgClusterOrSkip";

const hex32 = (): string => hexlify(randomBytes(32));
const codeOf = (e: unknown): unknown => (e as { code?: unknown }).code;

describe("PgStore: what only PostgreSQL does (a throwaway cluster)", function () {
  this.timeout(60_000);
  let cluster: PgCluster;
  let n = 0;
  const open: PgStore[] = [];

  before(async function () {
    const c = await pgClusterOrSkip(this);
    cluster = c;
  });

  after(function () {
    cluster?.remove();
  });

  afterEach(async function () {
    await Promise.all(open.splice(0).map((s) => s.close().catch(() => undefined)));
  });

  async function storeOn(url: string, stream = hex32()): Promise<PgStore> {
    const s = new PgStore(url, { stream, poolMax: 2 });
    open.push(s);
    await s.open();
    return s;
  }

  it("behavior: the migrations are applied once and recorded; a second start applies none", async function () {
    const url = await cluster.createDatabase(`m${n++}`);
    await storeOn(url);
    await storeOn(url);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const { rows } = await db.query<{ version: string }>("SELECT version FROM rp_migrations ORDER BY version");
      expect(rows.map((r) => Number(r.version))).to.deep.equal(MIGRATIONS.map((m) => m.version));
    } finally {
      await db.end();
    }
  });

  it("behavior: instances starting together on an empty database both come up", async function () {
    const url = await cluster.createDatabase(`m${n++}`);
    await Promise.all([storeOn(url), storeOn(url), storeOn(url)]);
  });

  it("error: a database of a newer release is refused (STORE_SCHEMA_NEWER)", async function () {
    const url = await cluster.createDatabase(`m${n++}`);
    const s = await storeOn(url);
    await s.pool.query("INSERT INTO rp_migrations (version, name, applied_at) VALUES (9999, 'future', 0)");
    const err = await storeOn(url).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(PgStoreError);
    expect(codeOf(err)).to.equal("STORE_SCHEMA_NEWER");
  });

  it("error: a DATABASE_URL that is not postgres:// is refused (STORE_BAD_URL) without echoing it", function () {
    const secret = "mysql://u:hunter2secret@db/x";
    const err = (() => {
      try {
        new PgStore(secret, { stream: hex32() });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(codeOf(err)).to.equal("STORE_BAD_URL");
    expect(err?.message).to.not.include("hunter2secret");
  });

  it("behavior: the database decides a nonce conflict between two instances (the primary key), and nothing of the losing write lands", async function () {
    const url = await cluster.createDatabase(`m${n++}`);
    const [a, b] = [await storeOn(url), await storeOn(url)];
    const attester = hexlify(randomBytes(20));
    const [d1, d2] = [hex32(), hex32()];
    await a.write([
      { type: "receipt", digest: d1, record: "{}" },
      { type: "nonce", attester, nonce: "7", digest: d1 },
    ]);
    const err = await b
      .write([
        { type: "receipt", digest: d2, record: "{}" },
        { type: "nonce", attester: attester.toUpperCase().replace("0X", "0x"), nonce: "7", digest: d2 },
      ])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(codeOf(err), "no redo: the write fails").to.equal("STORE_NONCE_TAKEN");
    expect(await a.getReceipt(d2)).to.equal(undefined);
    expect(await b.nonceOwners([{ attester, nonce: "7" }])).to.deep.equal([d1]);
  });

  it("behavior: an add whose nonce another instance took is replaced by its redo; the other adds land in the same write", async function () {
    const url = await cluster.createDatabase(`m${n++}`);
    const [a, b] = [await storeOn(url), await storeOn(url)];
    const attester = hexlify(randomBytes(20));
    const [won, lost, innocent, other] = [hex32(), hex32(), hex32(), hex32()];
    await a.write([{ type: "nonce", attester, nonce: "7", digest: won }]);
    const batch = b.batch();
    const heard: unknown[] = [];
    batch.add(
      [
        { type: "receipt", digest: lost, record: "{}" },
        { type: "nonce", attester, nonce: "7", digest: lost },
        { type: "receipt", digest: innocent, record: "{}" },
        { type: "nonce", attester, nonce: "8", digest: innocent },
      ],
      (l) => {
        heard.push(...l);
        return [
          { type: "receipt", digest: innocent, record: "{}" },
          { type: "nonce", attester, nonce: "8", digest: innocent },
        ];
      },
    );
    batch.add([{ type: "receipt", digest: other, record: "{}" }], () => expect.fail("this add lost nothing"));
    await batch.write();
    expect(heard).to.deep.equal([{ attester: attester.toLowerCase(), nonce: "7", digest: lost, owner: won }]);
    expect(await a.getReceipt(lost)).to.equal(undefined);
    expect(await a.getReceipts([innocent, other])).to.deep.equal([{}, {}]);
    expect(await a.nonceOwners([7, 8].map((k) => ({ attester, nonce: String(k) })))).to.deep.equal([won, innocent]);
  });

  it("behavior: per-stream records are each instance's own; receipts and loans are shared", async function () {
    const url = await cluster.createDatabase(`m${n++}`);
    const [a, b] = [await storeOn(url), await storeOn(url)];
    const loan = hex32();
    const d = hex32();
    await a.write([
      { type: "receipt", digest: d, record: '{"x":1}' },
      { type: "loanReceipt", loanId: loan, digest: d },
      { type: "pending", key: 0, entry: "a" },
      { type: "meta", name: "termsBlock", value: 5 },
      { type: "stateNode", path: "", node: { key: hex32(), count: 1, head: hex32() } },
    ]);
    expect(await b.getReceipt(d)).to.deep.equal({ x: 1 });
    expect(await b.digestsOfLoan(loan)).to.deep.equal([d]);
    const pending: unknown[] = [];
    for await (const e of b.pendingEntries()) pending.push(e);
    expect(pending).to.deep.equal([]);
    expect(await b.getMeta("termsBlock")).to.equal(undefined);
    expect(await a.getMeta("termsBlock")).to.equal(5);
    // Each instance seals its own stream, so each has its own loan state tree.
    expect(await b.stateNodes([""])).to.deep.equal([undefined]);
    expect((await a.stateNodes([""]))[0]).to.not.equal(undefined);
  });

  it("behavior: with the server stopped, a write fails as unavailable, and succeeds again once it is back", async function () {
    const url = await cluster.createDatabase(`m${n++}`);
    const s = await storeOn(url);
    await s.write([{ type: "meta", name: "x", value: 1 }]);
    cluster.stop("immediate");
    try {
      const err = await s.write([{ type: "meta", name: "x", value: 2 }]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isUnavailable(err), String(err)).to.equal(true);
    } finally {
      cluster.start();
    }
    await s.write([{ type: "meta", name: "x", value: 3 }]);
    expect(await s.getMeta("x")).to.equal(3);
  });

  it("behavior: instances on one database count each other alive, and one that stops leaves the count", async function () {
    const url = await cluster.createDatabase(`m${n++}`);
    const [a, b] = [await storeOn(url), await storeOn(url)];
    const [la, lb] = [new LiveInstances(a.pool, a.stream, 100), new LiveInstances(b.pool, b.stream, 100)];
    await la.start();
    await lb.start();
    await new Promise((r) => setTimeout(r, 250));
    expect([la.count(), lb.count()]).to.deep.equal([2, 2]);
    await lb.close();
    await new Promise((r) => setTimeout(r, 250));
    expect(la.count()).to.equal(1);
    await la.close();
  });
});
