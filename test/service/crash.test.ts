import { expect } from "chai";
import { KIND, loanStateKey } from "@repayproof/verifier";
import { freePort, postJson } from "../../scripts/devnet";
import { allBatches, auditAnchors, auditStateRoots } from "../helpers/audit";
import { makeParties, makeReceipt, boundId, randomId, signReceipt } from "../helpers/parties";
import { startSpawnFixture, type SpawnFixture } from "../helpers/spawnFixture";
import { waitFor } from "../helpers/waitFor";

const KILLS = 3;
const CLIENTS = 3;
const ITEMS = 25;

describe("crash: SIGKILL under load", function () {
  this.timeout(300_000);
  let f: SpawnFixture;
  const p = makeParties();

  before(async function () {
    // One fixed port so clients find the service again after each restart.
    f = await startSpawnFixture({
      env: { PORT: String(await freePort()), BATCH_INTERVAL_MS: "200", BATCH_MAX: "100", WORKERS: "1" },
    });
  });

  after(async function () {
    await f?.close();
  });

  it(`loses no acknowledged receipt, anchors each exactly once, and keeps the loan state root in step across ${KILLS} kill -9s`, async function () {
    const { d } = f;
    const url = f.url;
    const agreementId = boundId(p);
    await f.register(p, agreementId);

    const acked = new Set<string>();
    // A few loans, so each batch moves several leaves of the loan state tree (issue 13).
    const loans = Array.from({ length: 7 }, () => randomId());
    const loanOf = new Map<string, string>();
    let refusedItems = 0;
    let failedRequests = 0;
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
        try {
          const res = await postJson<{ results: { digest?: string; ack?: unknown; error?: { code: string } }[] }>(
            `${url}/v1/receipts`,
            { items: batch.map((b) => b.item) },
          );
          if (res.status !== 202) throw new Error(`status ${res.status}`);
          for (const r of res.body.results) {
            if (r.digest && r.ack) acked.add(r.digest);
            else refusedItems++;
          }
        } catch {
          // The service is down (being killed or restarting): nothing was acknowledged for this request.
          failedRequests++;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));

    for (let k = 0; k < KILLS; k++) {
      const before = acked.size;
      await waitFor("load to progress", async () => acked.size >= before + 200, 60_000, 20);
      await new Promise((r) => setTimeout(r, 200 + Math.floor(Math.random() * 800)));
      expect((await f.stop("SIGKILL")).signal, "killed, not stopped").to.equal("SIGKILL");
      expect((await f.start()).url, "the same address after a restart").to.equal(url);
    }
    const before = acked.size;
    await waitFor("load after the last restart", async () => acked.size >= before + 200, 60_000, 20);
    running = false;
    await Promise.all(clients);
    expect(refusedItems).to.equal(0);

    const info = (await f.get("/v1/info")).body as { stream: string };
    await waitFor(
      "the backlog to drain",
      async () => {
        if ((await f.get("/healthz")).body.backlog !== 0) return false;
        const batches = await allBatches(url, info.stream);
        return batches.every((b) => b.state === "final");
      },
      120_000,
      300,
    );
    const batches = await allBatches(url, info.stream);
    const seen = await auditAnchors(f.node.url, d, info.stream, batches);
    const missing = [...acked].filter((x) => seen.get(x) !== 1);
    expect(missing, `acknowledged but not anchored exactly once (of ${acked.size})`).to.deep.equal([]);
    for (const [digest, n] of seen) expect(n, digest).to.equal(1);
    await auditStateRoots(f.node.url, d, info.stream, batches, (x) => loanStateKey(agreementId, loanOf.get(x)!));
    console.log(
      `      ${acked.size} acknowledged, ${seen.size} anchored in ${batches.length} batches, ${failedRequests} failed requests during kills`,
    );
  });
});
