import { expect } from "chai";
import { KIND } from "@repayproof/verifier";
import { type PgCluster } from "../../scripts/devnet";
import { bearer, boundId, makeParties, makeReceipt, randomId, signReceipt } from "../helpers/parties";
import { baseEnv, startSpawnFixture, type Json, type SpawnFixture } from "../helpers/spawnFixture";
import { waitFor } from "../helpers/waitFor";
import { pgClusterOrSkip } from "../helpers/pgClusterOrSkip";

describe("scripts/migrateStore: a LevelDB store moved into PostgreSQL", function () {
  this.timeout(300_000);
  let cluster: PgCluster | undefined;
  let f: SpawnFixture | undefined;
  const p = makeParties();

  before(async function () {
    const c = await pgClusterOrSkip(this);
    cluster = c;
    f = await startSpawnFixture({ env: { BATCH_INTERVAL_MS: "200" } });
  });

  after(async function () {
    await f?.close();
    cluster?.remove();
  });

  /** Waits for the proof of every digest and returns them (200s only). */
  async function proofs(fx: SpawnFixture, digests: string[]): Promise<Json[]> {
    const out: Json[] = [];
    const auth = bearer(fx.d, p.platform);
    for (const d of digests) {
      await waitFor(`the proof of ${d}`, async () => {
        const r = await fx.get(`/v1/receipts/${d}/proof`, auth);
        if (r.status === 200) out.push(r.body);
        return r.status === 200;
      });
    }
    return out;
  }

  it("behavior: every proof and the loan state proof are served the same after the move, the stream continues (the state tree was copied), and a second copy is refused without echoing the password", async function () {
    const fx = f!;
    const agreementId = boundId(p);
    await fx.register(p, agreementId);
    // One loan: its state proof after the move counts the receipts sealed before it too, only if the tree was copied.
    const loanId = randomId();
    const completeness = async (): Promise<Json> => {
      const r = await fx.get(`/v1/loans/${loanId}/completeness`, bearer(fx.d, p.platform));
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      return r.body;
    };
    const post = async (): Promise<string[]> => {
      const items = Array.from({ length: 10 }, () =>
        signReceipt(fx.d, makeReceipt(agreementId, p.platform, KIND.DUE, { loanId }), p.platform),
      );
      const res = await fx.post("/v1/receipts", { items: items.map((x) => x.item) });
      expect(res.status).to.equal(202);
      return (res.body.results as Json[]).map((r) => r.digest as string);
    };
    const before = [...(await post()), ...(await post())];
    const bundles = await proofs(fx, before);
    await waitFor("both batches in the state proof", async () => {
      const c = (await completeness()).completeness as Json[];
      return c.length === 1 && c[0]!.count === 20;
    });
    const stateBefore = await completeness();
    const stream = (await fx.get("/v1/info")).body.stream as string;
    await fx.stop();

    const url = await cluster!.createDatabase("moved");
    const args = ["dist/scripts/migrateStore.js", "--from", fx.dataDir, "--stream", stream];
    const moved = await fx.runNode(args, baseEnv({ DATABASE_URL: url }));
    expect(moved.code, moved.output).to.equal(0);
    expect(moved.stdout).to.match(/moved 20 receipts/);

    await fx.start({ DATABASE_URL: url });
    expect(await proofs(fx, before)).to.deep.equal(bundles);
    expect(await completeness(), "the state proof, read from the copied tree").to.deep.equal(stateBefore);
    const after = await post();
    const later = await proofs(fx, after);
    expect(later[0].batch.stream).to.equal(stream);
    expect(later[0].batch.seq).to.be.greaterThan(Math.max(...bundles.map((b) => b.batch.seq as number)));
    await waitFor("the new batch in the state proof", async () => {
      const c = (await completeness()).completeness as Json[];
      return c.length === 1 && c[0]!.count === 30;
    });

    const again = await fx.runNode(args, baseEnv({ DATABASE_URL: url }));
    expect(again.code).to.equal(1);
    expect(again.output).to.include("TARGET_NOT_EMPTY");
    expect(again.output).to.not.include(":pw@");
  });
});
