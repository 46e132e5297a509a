import { expect } from "chai";
import { KIND, loanStateKey } from "@repayproof/verifier";
import { freePort, postJson, type PgCluster } from "../../scripts/devnet";
import { allBatches, auditAnchors, auditStateRoots } from "../helpers/audit";
import { makeParties, makeReceipt, boundId, randomId, signReceipt } from "../helpers/parties";
import { startSpawnFixture, type SpawnFixture } from "../helpers/spawnFixture";
import { waitFor } from "../helpers/waitFor";
import { pgClusterOrSkip } from "../helpers/pgClusterOrSkip";

const KILLS = 3;
const CLIENTS = 3;
const ITEMS = 25;

/** What is cut under load: the service (kill -9, restarted), or its PostgreSQL server (stopped at once, started). */
type Disruption = "kill service" | "restart database";

interface Variant {
  title: string;
  store: "leveldb" | "postgres";
  disruption: Disruption;
}

const VARIANTS: Variant[] = [
  { title: "crash: SIGKILL under load", store: "leveldb", disruption: "kill service" },
  { title: "crash: SIGKILL under load, on PostgreSQL", store: "postgres", disruption: "kill service" },
  { title: "crash: the PostgreSQL server restarted under load", store: "postgres", disruption: "restart database" },
];

for (const v of VARIANTS) {
  describe(v.title, function () {
    this.timeout(300_000);
    let f: SpawnFixture | undefined;
    let cluster: PgCluster | undefined;
    const p = makeParties();

    before(async function () {
      const env: Record<string, string> = {
        // One fixed port so clients find the service again after each restart.
        PORT: String(await freePort()),
        BATCH_INTERVAL_MS: "200",
        BATCH_MAX: "100",
        WORKERS: "1",
      };
      if (v.store === "postgres") {
        const c = await pgClusterOrSkip(this);
        cluster = c;
        env.DATABASE_URL = await c.createDatabase("crash");
      }
      f = await startSpawnFixture({ env });
    });

    after(async function () {
      await f?.close();
      cluster?.remove();
    });

    const what = v.disruption === "kill service" ? "kill -9s" : "database restarts";
    it(`loses no acknowledged receipt, anchors each exactly once, and keeps the loan state root in step across ${KILLS} ${what}`, async function () {
      const fx = f!;
      const { d } = fx;
      const url = fx.url;
      const agreementId = boundId(p);
      await fx.register(p, agreementId);

      const acked = new Set<string>();
      // A few loans, so each batch moves several leaves of the loan state tree (issue 13).
      const loans = Array.from({ length: 7 }, () => randomId());
      const loanOf = new Map<string, string>();
      let refusedItems = 0;
      let failedRequests = 0;
      const unexpected: string[] = [];
      let running = true;
      const client = async (c: number): Promise<void> => {
        const who = [p.platform, p.channel, p.collector][c % 3]!;
        const kind = [KIND.DUE, KIND.SETTLED, KIND.FORWARDED][c % 3]!;
        while (running) {
          const batch = Array.from({ length: ITEMS }, (_, i) => {
            const loanId = loans[(i * 3 + c) % loans.length]!;
            const signed = signReceipt(d, makeReceipt(agreementId, who, kind, { loanId }), who);
            loanOf.set(signed.digest, loanId);
            return signed;
          });
          type Results = { results: { digest?: string; ack?: unknown; error?: { code: string } }[] };
          let res;
          try {
            res = await postJson<Results>(`${url}/v1/receipts`, { items: batch.map((b) => b.item) });
          } catch {
            // The service is down (being killed or restarting): nothing was acknowledged for this request.
            failedRequests++;
            await new Promise((r) => setTimeout(r, 50));
            continue;
          }
          if (res.status === 202) {
            for (const r of res.body.results) {
              if (r.digest && r.ack) acked.add(r.digest);
              else refusedItems++;
            }
            continue;
          }
          failedRequests++;
          // The database away: 503 STORE_UNAVAILABLE with Retry-After, and no Ack anywhere in it.
          if (res.status !== 503 || res.retryAfter === undefined)
            unexpected.push(`${res.status} ${JSON.stringify(res.body)}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));

      for (let k = 0; k < KILLS; k++) {
        const before = acked.size;
        await waitFor("load to progress", async () => acked.size >= before + 200, 60_000, 20);
        await new Promise((r) => setTimeout(r, 200 + Math.floor(Math.random() * 800)));
        if (v.disruption === "kill service") {
          expect((await fx.stop("SIGKILL")).signal, "killed, not stopped").to.equal("SIGKILL");
          expect((await fx.start()).url, "the same address after a restart").to.equal(url);
        } else {
          const failed = failedRequests;
          cluster!.stop("immediate");
          await waitFor("clients to be turned away", async () => failedRequests > failed, 30_000, 20);
          cluster!.start();
        }
      }
      const before = acked.size;
      await waitFor("load after the last restart", async () => acked.size >= before + 200, 60_000, 20);
      running = false;
      await Promise.all(clients);
      expect(refusedItems).to.equal(0);
      expect(unexpected, "answers other than 202, or 503 with Retry-After").to.deep.equal([]);

      const info = (await fx.get("/v1/info")).body as { stream: string };
      await waitFor(
        "the backlog to drain",
        async () => {
          if ((await fx.get("/healthz")).body.backlog !== 0) return false;
          const batches = await allBatches(url, info.stream);
          return batches.every((b) => b.state === "final");
        },
        120_000,
        300,
      ).catch(async (e: Error) => {
        // Say what was stuck: a stall here has been seen only under load, so the evidence must come with it.
        const health = JSON.stringify((await fx.get("/healthz")).body);
        const open = (await allBatches(url, info.stream)).filter((b) => b.state !== "final").slice(0, 5);
        throw new Error(
          `${e.message}\nhealthz: ${health}\nnot final: ${JSON.stringify(open)}\n${fx.svc.output().slice(-3000)}`,
        );
      });
      const batches = await allBatches(url, info.stream);
      const seen = await auditAnchors(fx.node.url, d, info.stream, batches);
      const missing = [...acked].filter((x) => seen.get(x) !== 1);
      expect(missing, `acknowledged but not anchored exactly once (of ${acked.size})`).to.deep.equal([]);
      for (const [digest, n] of seen) expect(n, digest).to.equal(1);
      await auditStateRoots(fx.node.url, d, info.stream, batches, (x) => loanStateKey(agreementId, loanOf.get(x)!));
      console.log(
        `      ${acked.size} acknowledged, ${seen.size} anchored in ${batches.length} batches, ${failedRequests} failed requests during ${what}`,
      );
    });
  });
}
