import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { agreementReceipts, toTimelineEvents } from "../../service/read/loanReceipts";
import { FigureRows, statsFigures, type StatsFigures } from "../../service/stats/statsFigures";
import { StatsIndexer } from "../../service/stats/StatsIndexer";
import { loanFacts } from "../../service/stats/stageFacts";
import { LevelStore } from "../../service/store/leveldb/LevelStore";
import type { Store } from "../../service/store/Store";
import { figure, ratioRuns, seconds, settle } from "./measure";
import { log, type BenchOptions } from "./options";
import type { Row } from "./report";
import { benchVersions, fillStatsStore } from "./statsFill";

const AGREEMENT = "0x" + "5a".repeat(32);
const ALL = { from: 0, to: 1e12 - 1 };

/** Receipts in the stats store: `STATS_BENCH_RECEIPTS` when set (e.g. 1000000 outside CI). */
export const statsTarget = (opts: BenchOptions): number =>
  Number(process.env.STATS_BENCH_RECEIPTS ?? (opts.quick ? 20_000 : 200_000));

/**
 * What the figures would cost without the index: every receipt of the agreement read and every loan's timeline
 * evaluated (the same `loanFacts` the index keeps), summed per request. Gives the same figures (checked).
 */
async function fullScan(store: Store, now: number): Promise<StatsFigures["stages"]> {
  const rows = new FigureRows();
  for (const [loanId, receipts] of await agreementReceipts(store, AGREEMENT)) {
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
    const indexer = new StatsIndexer(store, { get: (id) => store.getTerms(id) }, pino({ level: "silent" }));
    const indexS = await seconds(() => indexer.rebuild());
    log(`stats: index built in ${indexS.toFixed(1)} s`);
    const now = (await store.latestAnchoredAt()) as number;
    const ours: number[] = [];
    const scan: number[] = [];
    let figures: StatsFigures | undefined;
    let scanned: StatsFigures["stages"] | undefined;
    // STATS_BENCH_RUNS: fewer paired runs for a one-off measurement at 1M (a full scan then takes minutes).
    const runs = Number(process.env.STATS_BENCH_RUNS ?? opts.runs);
    for (let r = 0; r < runs; r++) {
      await settle();
      ours.push(
        await seconds(async () => (figures = await statsFigures(store, { agreementId: AGREEMENT, ...ALL, now }))),
      );
      await settle();
      scan.push(await seconds(async () => (scanned = await fullScan(store, now))));
      log(`stats run ${r + 1}: index ${(ours.at(-1)! * 1e3).toFixed(1)} ms, full scan ${scan.at(-1)!.toFixed(2)} s`);
    }
    if (JSON.stringify(figures!.stages) !== JSON.stringify(scanned)) {
      throw new Error("the index's figures differ from the full scan's");
    }
    const oursFig = figure(ours, "s");
    const scanFig = figure(scan, "s");
    return [
      {
        suite: "stats (GET /v1/stats)",
        size: `${target.toLocaleString("en-US")} receipts, one agreement`,
        ours: { label: "figures from the index", figure: oursFig },
        reference: { label: "full scan + evaluation per loan", figure: scanFig },
        ratio: { runs: ratioRuns(scanFig, oursFig), label: "× faster" },
        goal: { text: "≥ 100× (from indexes, never a scan per request)", target: 100, direction: "atLeast" },
        note: `whole history (${Math.ceil(target / 2_700)} days at most 365) of one agreement on LevelDB, in process; both sides give the same figures (checked). Building the index from scratch (StatsIndexer.rebuild, what anchoring does batch by batch) took ${indexS.toFixed(1)} s, ${((indexS / target) * 1e6).toFixed(0)} µs per receipt`,
      },
    ];
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
