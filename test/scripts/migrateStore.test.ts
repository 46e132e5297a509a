import { expect } from "chai";
import { KIND } from "@repayproof/verifier";
import { type PgCluster } from "../../scripts/devnet";
import { bearer, boundId, makeParties, makeReceipt, signReceipt } from "../helpers/parties";
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

  it("behavior: every proof is served the same after the move, the stream continues, and a second copy is refused without echoing the password", async function () {
    const fx = f!;
    const agreementId = boundId(p);
    await fx.register(p, agreementId);
    const post = async (): Promise<string[]> => {
      const items = Array.from({ length: 10 }, () =>
        signReceipt(fx.d, makeReceipt(agreementId, p.platform, KIND.DUE), p.platform),
      );
      const res = await fx.post("/v1/receipts", { items: items.map((x) => x.item) });
      expect(res.status).to.equal(202);
      return (res.body.results as Json[]).map((r) => r.digest as string);
    };
    const before = [...(await post()), ...(await post())];
    const bundles = await proofs(fx, before);
    const stream = (await fx.get("/v1/info")).body.stream as string;
    await fx.stop();

    const url = await cluster!.createDatabase("moved");
    const args = ["dist/scripts/migrateStore.js", "--from", fx.dataDir, "--stream", stream];
    const moved = await fx.runNode(args, baseEnv({ DATABASE_URL: url }));
    expect(moved.code, moved.output).to.equal(0);
    expect(moved.stdout).to.match(/moved 20 receipts/);

    await fx.start({ DATABASE_URL: url });
    expect(await proofs(fx, before)).to.deep.equal(bundles);
    const after = await post();
    const later = await proofs(fx, after);
    expect(later[0].batch.stream).to.equal(stream);
    expect(later[0].batch.seq).to.be.greaterThan(Math.max(...bundles.map((b) => b.batch.seq as number)));

    const again = await fx.runNode(args, baseEnv({ DATABASE_URL: url }));
    expect(again.code).to.equal(1);
    expect(again.output).to.include("TARGET_NOT_EMPTY");
    expect(again.output).to.not.include(":pw@");
  });
});
