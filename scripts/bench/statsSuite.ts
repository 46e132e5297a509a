import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { agreementReceipts, AnchorTimes, toTimelineEvents } from "../../service/read/loanReceipts";
import type { Reader } from "../../service/read/Reader";
import { StreamReaders } from "../../service/read/StreamReaders";
import { FigureRows, statsFigures, type StatsFigures } from "../../service/stats/statsFigures";
import { StatsIndexer } from "../../service/stats/StatsIndexer";
import { loanFacts } from "../../service/stats/stageFacts";
import { LevelStore } from "../../service/store/leveldb/LevelStore";
import type { Store } from "../../service/store/Store";
import { figure, seconds, settle } from "./measure";
import { log, type BenchOptions } from "./options";
import type { Row } from "./report";
import { benchVersions, fillStatsStore } from "./statsFill";

const AGREEMENT = "0x" + "5a".repeat(32);
const ALL = { from: 0, to: 1e12 - 1 };

/** Receipts in the stats store: `STATS_BENCH_RECEIPTS` when set, else 1M (the issue's size; 20k with --quick). */
export const statsTarget = (opts: BenchOptions): number =>
  Number(process.env.STATS_BENCH_RECEIPTS ?? (opts.quick ? 20_000 : 1_000_000));

/** Past this size a full scan takes minutes: it runs once (STATS_BENCH_SCAN_RUNS), the index's reads `runs` times. */
const LONG_SCAN = 300_000;

/**
 * What the figures would cost without the index: every receipt of the agreement read and every loan's timeline
 * evaluated (the same `loanFacts` the index keeps), summed per request. Gives the same figures (checked).
 */
async function fullScan(store: Store, now: number): Promise<StatsFigures["stages"]> {
  const rows = new FigureRows();
  // One stream on a store of its own: its readers read only the store (no other stream to look up).
  const streams = new StreamReaders({ store, identity: { stream: "bench" } } as Reader);
  for (const [loanId, receipts] of await agreementReceipts(new AnchorTimes(streams), AGREEMENT)) {
    for (const f of loanFacts(loanId, toTimelineEvents(receipts), benchVersions())) rows.addFact(f, now);
  }
  return rows.stages();
}

/** `GET /v1/stats`'s work at a large store, against computing the same figures by a full scan per request. */
export async function statsSuite(opts: BenchOptions): Promise<Row[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-bench-stats-"));
  const store = new LevelStore(dir);
  await store.open();
  try {
    const target = statsTarget(opts);
    const fillS = await seconds(() => fillStatsStore(store, AGREEMENT, target));
    log(`stats: ${target} receipts written in ${fillS.toFixed(1)} s`);
    // Terms read once, as the service's TermsCache does.
    const terms = new Map<string, ReturnType<Store["getTerms"]>>();
    const cached = (id: string): ReturnType<Store["getTerms"]> =>
      terms.get(id) ?? terms.set(id, store.getTerms(id)).get(id)!;
    const indexer = new StatsIndexer(store, { get: cached }, pino({ level: "silent" }));
    const indexS = await seconds(() => indexer.rebuild());
    log(`stats: index built in ${indexS.toFixed(1)} s`);
    const now = (await store.latestAnchoredAt()) as number;
    const ours: number[] = [];
    const scan: number[] = [];
    let figures: StatsFigures | undefined;
    let scanned: StatsFigures["stages"] | undefined;
    // STATS_BENCH_RUNS: fewer runs for a one-off measurement; the full scan runs once past LONG_SCAN receipts.
    const runs = Number(process.env.STATS_BENCH_RUNS ?? opts.runs);
    const scanRuns = Number(process.env.STATS_BENCH_SCAN_RUNS ?? (target > LONG_SCAN ? 1 : runs));
    for (let r = 0; r < Math.max(runs, scanRuns); r++) {
      if (r < runs) {
        await settle();
        ours.push(
          await seconds(async () => (figures = await statsFigures(store, { agreementId: AGREEMENT, ...ALL, now }))),
        );
      }
      if (r < scanRuns) {
        await settle();
        scan.push(await seconds(async () => (scanned = await fullScan(store, now))));
      }
      log(`stats run ${r + 1}: index ${(ours.at(-1)! * 1e3).toFixed(1)} ms, full scan ${scan.at(-1)!.toFixed(2)} s`);
    }
    if (JSON.stringify(figures!.stages) !== JSON.stringify(scanned)) {
      throw new Error("the index's figures differ from the full scan's");
    }
    const oursFig = figure(ours, "s");
    const scanFig = figure(scan, "s");
    const size = `${target.toLocaleString("en-US")} receipts, one agreement`;
    const built = `building the index from scratch (StatsIndexer.rebuild, what anchoring does batch by batch) took ${indexS.toFixed(1)} s, ${((indexS / target) * 1e6).toFixed(0)} µs per receipt`;
    return [
      {
        suite: "stats (GET /v1/stats)",
        size,
        ours: { label: "figures from the index", figure: oursFig },
        reference: { label: "full scan + evaluation per loan", figure: scanFig },
        // Each run of ours against the scan of the same run, or against the one scan when it ran once.
        ratio: { runs: ours.map((x, i) => (scan[i] ?? (scan[0] as number)) / x), label: "× faster" },
        goal: { text: "≥ 100× (from indexes, never a scan per request)", target: 100, direction: "atLeast" },
        note: `whole history (${Math.min(365, Math.ceil(target / 2_700))} days) of one agreement on LevelDB, in process; both sides give the same figures (checked); the full scan ran ${scanRuns === 1 ? "once" : `${scanRuns} times`}, the index's reads ${runs} times, the first right after the index was built; ${built}`,
      },
      {
        suite: "stats response time",
        size,
        ours: { label: "figures from the index", figure: oursFig },
        reference: { label: "full scan + evaluation per loan", figure: scanFig },
        ratio: { runs: ours.map((x) => x * 1e3), label: " ms" },
        goal: { text: "≤ 200 ms", target: 200, direction: "atMost" },
      },
    ];
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
