import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { fuzzTemplates } from "../../scripts/lib/fuzzTarget";
import { runFuzz } from "../../scripts/lib/fuzzRun";
import { startRouteFixture, type RouteFixture } from "../helpers/routeFixture";

/** Bodies per CI run; `npm run fuzz -- --bodies 100000` runs more (docs/security.md). */
const BODIES = Number(process.env.FUZZ_BODIES ?? 2400);

/**
 * The fuzzer (scripts/lib/fuzzRun.ts) against POST /v1/receipts and POST /v1/agreements: random JSON,
 * mutated valid bodies, huge numbers, deep nesting, unicode, `__proto__` keys. Never a 5xx, every refusal a
 * documented code, nothing stored or mined on refusal, and the service answers afterwards.
 */
describe("attack: fuzzed request bodies", function () {
  let f: RouteFixture;
  let provider: JsonRpcProvider;

  before(async function () {
    // No batch seals during the run (by time or size): the backlog and the block number move only with the bodies.
    f = await startRouteFixture({ batchIntervalMs: 3_600_000, batchMax: 10_000_000 });
    provider = new JsonRpcProvider(f.node.url, undefined, { cacheTimeout: -1 });
  });
  after(async function () {
    provider?.destroy();
    await f?.close();
  });

  it(`behavior: ${BODIES} hostile bodies, never a 5xx, only documented refusals, nothing stored on refusal`, async function () {
    this.timeout(600_000);
    const templates = await fuzzTemplates(f.svc.url, f.d);
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
    const stats = await runFuzz(
      { url: f.svc.url, backlogSize: () => f.svc.deps.backlog.size(), blockNumber: () => provider.getBlockNumber() },
      templates,
      BODIES,
      seed,
    );
    console.log(`      fuzz seed ${seed}: ${stats.bodies} bodies in ${stats.ms} ms`, stats.statuses, stats.msByKind);
    expect(stats.bodies).to.equal(BODIES);
    const info = await fetch(`${f.svc.url}/v1/info`);
    expect(info.status, "the service still answers").to.equal(200);
    const fresh = await f.post(templates.freshReceipt());
    expect(fresh.status, "and still accepts a valid receipt").to.equal(202);
  });
});
