import type { Deployment } from "../lib/deployContracts";
import { postBody, signedBodies, type LoadAgreement } from "./loadGenerator";
import { figure, ratioRuns, seconds, settle } from "./measure";
import { log, type BenchOptions } from "./options";
import type { Child } from "./processes";
import { cpuDelta, peakRssBytes, resetPeakRss, rssBytes, sampleAnon, threadCpuMs, type ThreadCpu } from "./procStats";
import type { Row } from "./report";
import type { RawRecovery } from "./secpSuite";

export const ITEMS = 500;
export const CLIENTS = 4;
const MB = 2 ** 20;

/** The running service and what the suites have put in it. */
export interface Session {
  readonly node: Child;
  readonly d: Deployment;
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
  svc: Child;
  agreement: LoadAgreement;
  stream: string;
  stored: number;
  bytesPerItem: number[];
}

/** Sends `bodies` with `CLIENTS` concurrent clients, each posting its share one after another. */
export async function blast(url: string, bodies: readonly string[]): Promise<number> {
  let next = 0;
  let accepted = 0;
  const client = async (): Promise<void> => {
    while (next < bodies.length) {
      // Read the count after the await: `accepted += await …` would lose the other clients' updates.
      const n = await postBody(url, bodies[next++] as string);
      accepted += n;
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return accepted;
}

/** One timed ingest run: the rate, the raw rate measured right before it, and what each receipt cost. */
export interface IngestRun {
  rate: number;
  raw: number;
  /** CPU µs of one bare recovery, measured with the raw rate. */
  rawCpuUs: number;
  /** Service CPU µs per accepted receipt by thread kind (undefined without /proc). */
  cpuUs?: ThreadCpu & { all: number };
  /** The load generator's (this process's) CPU µs per accepted receipt. */
  genUs: number;
  /** Service RSS before the run and its peak during it, in MB (undefined without /proc). */
  rssBeforeMb?: number;
  peakRssMb?: number;
  /** Peak anonymous resident memory during the run (sampled), and the file-backed pages then, in MB. */
  peakAnonMb?: number;
  fileAtPeakMb?: number;
}

/** `runs` timed ingest runs of `bodiesPerRun` requests (items of 500, 4 clients) against the running service. */
export async function ingestRuns(s: Session, raw: RawRecovery, opts: BenchOptions, runs: number): Promise<IngestRun[]> {
  const perRun = opts.quick ? CLIENTS : CLIENTS * 5;
  const pid = s.svc.child.pid as number;
  const out: IngestRun[] = [];
  for (let r = 0; r < runs; r++) {
    const bodies = signedBodies(s.agreement, s.d, perRun, ITEMS);
    s.bytesPerItem.push(...bodies.map((b) => b.bytesPerItem));
    await settle();
    const rawRate = await raw.measure(opts.rateSeconds);
    await settle();
    const rssBefore = rssBytes(pid);
    const peakReset = resetPeakRss(pid);
    const anon = sampleAnon(pid);
    const cpu0 = threadCpuMs(pid);
    const gen0 = process.cpuUsage();
    let accepted = 0;
    const t = await seconds(
      async () =>
        (accepted = await blast(
          s.svc.url,
          bodies.map((b) => b.body),
        )),
    );
    const gen = process.cpuUsage(gen0);
    const cpu1 = threadCpuMs(pid);
    const peak = peakReset ? peakRssBytes(pid) : undefined;
    const anonPeak = anon();
    s.stored += accepted;
    const perReceipt = (ms: number): number => (ms * 1000) / accepted;
    const d = cpu0 && cpu1 ? cpuDelta(cpu0, cpu1) : undefined;
    const run: IngestRun = {
      rate: accepted / t,
      raw: rawRate,
      rawCpuUs: raw.cpuUsPerRecovery(),
      genUs: (gen.user + gen.system) / accepted,
      ...(d
        ? {
            cpuUs: {
              main: perReceipt(d.main),
              workers: perReceipt(d.workers),
              other: perReceipt(d.other),
              all: perReceipt(d.all),
            },
          }
        : {}),
      ...(rssBefore !== undefined ? { rssBeforeMb: rssBefore / MB } : {}),
      ...(peak !== undefined ? { peakRssMb: peak / MB } : {}),
      ...anonPeak,
    };
    out.push(run);
    const c = run.cpuUs;
    log(
      `ingest run ${r + 1}: ${accepted} receipts in ${t.toFixed(2)} s = ${Math.round(run.rate)}/s, raw recovery ${Math.round(rawRate)}/s` +
        (c
          ? `; service CPU ${c.all.toFixed(0)} µs/receipt (main ${c.main.toFixed(0)}, workers ${c.workers.toFixed(0)}, other ${c.other.toFixed(0)})`
          : "") +
        `; load generator ${run.genUs.toFixed(0)} µs; RSS ${run.rssBeforeMb?.toFixed(0)} → peak ${run.peakRssMb?.toFixed(0)} MB (anonymous ${run.peakAnonMb?.toFixed(0)}, file-backed ${run.fileAtPeakMb?.toFixed(0)})`,
    );
  }
  return out;
}

/** The ingest row: receipts/s against raw recovery on every core, run by run. */
export function ingestRow(runs: readonly IngestRun[], size: string, goal: boolean): Row {
  const ours = figure(
    runs.map((r) => r.rate),
    "receipts/s",
  );
  const rawFig = figure(
    runs.map((r) => r.raw),
    "recoveries/s",
  );
  return {
    suite: "ingest through HTTP, durable writes",
    size,
    ours: { label: "the running service", figure: ours },
    reference: { label: "raw libsecp256k1 recovery, all cores", figure: rawFig },
    ratio: { runs: ratioRuns(ours, rawFig), label: " of raw" },
    ...(goal ? { goal: { text: "≥ 0.4 of raw recovery", target: 0.4, direction: "atLeast" as const } } : {}),
  };
}

const THREADS: readonly [keyof ThreadCpu, string][] = [
  ["main", "main thread (HTTP, admission, Ack signing, LevelDB calls)"],
  ["workers", "ingest workers (JSON, parsing, digests, recovery)"],
  ["other", "other threads (libuv pool: LevelDB writes and reads; LevelDB compaction; GC)"],
];

/** Where each receipt's CPU goes: the service by thread, and the load generator, against one bare recovery. */
export function cpuRows(runs: readonly IngestRun[], size: string): Row[] {
  const withCpu = runs.filter((r) => r.cpuUs !== undefined);
  if (withCpu.length === 0) return [];
  // One bare recovery's CPU time (thread CPU, so the shared machine's contention does not stretch it).
  const bare = figure(
    withCpu.map((r) => r.rawCpuUs),
    "µs",
  );
  const row = (suite: string, label: string, us: number[]): Row => {
    const ours = figure(us, "µs");
    return {
      suite,
      size,
      ours: { label, figure: ours },
      reference: { label: "one bare ecdsaRecover (CPU time)", figure: bare },
      ratio: { runs: ratioRuns(ours, bare), label: "× a recovery" },
    };
  };
  const all = withCpu.map((r) => (r.cpuUs as ThreadCpu & { all: number }).all);
  return [
    row("service CPU per receipt", "all threads", all),
    ...THREADS.map(([k, label]) =>
      row(
        "service CPU per receipt",
        label,
        withCpu.map((r) => (r.cpuUs as ThreadCpu)[k]),
      ),
    ),
    row(
      "load generator CPU per receipt",
      "4 fetch clients (same machine)",
      withCpu.map((r) => r.genUs),
    ),
  ];
}

/** One memory figure (MB) over `runs`, each of which has it. */
const mb = (runs: readonly IngestRun[], of: (r: IngestRun) => number | undefined) =>
  figure(
    runs.map((r) => of(r) as number),
    "MB",
  );

/**
 * Service memory under the ingest load: peak RSS (VmHWM, reset before each run) against RSS before it; and
 * the peak of its anonymous part (what the goal bounds) against VmHWM, which also counts LevelDB's mmapped
 * table files (see {@link sampleAnon}).
 */
export function rssRow(runs: readonly IngestRun[], size: string, goal: boolean): Row[] {
  const withRss = runs.filter((r) => r.peakRssMb !== undefined && r.rssBeforeMb !== undefined);
  if (withRss.length === 0) return [];
  const peak = mb(withRss, (r) => r.peakRssMb);
  const before = mb(withRss, (r) => r.rssBeforeMb);
  const rows: Row[] = [
    {
      suite: "service peak RSS under ingest load",
      size,
      ours: { label: "VmHWM during the run", figure: peak },
      reference: { label: "RSS right before the run", figure: before },
      ratio: { runs: ratioRuns(peak, before), label: "× before" },
    },
  ];
  const withAnon = withRss.filter((r) => r.peakAnonMb !== undefined);
  if (withAnon.length === 0) return rows;
  const anon = mb(withAnon, (r) => r.peakAnonMb);
  const all = mb(withAnon, (r) => r.peakRssMb);
  rows.push({
    suite: "service peak anonymous memory under ingest load",
    size,
    ours: { label: "RssAnon peak (sampled every 50 ms)", figure: anon },
    reference: { label: "VmHWM (with LevelDB's mmapped table files)", figure: all },
    ratio: goal ? { runs: anon.runs, label: " MB" } : { runs: ratioRuns(anon, all), label: "× VmHWM" },
    ...(goal ? { goal: { text: "≤ 300 MB", target: 300, direction: "atMost" as const } } : {}),
    note: `file-backed pages when anonymous memory peaked: ${withAnon.map((r) => (r.fileAtPeakMb as number).toFixed(0)).join(", ")} MB. LevelDB reads its table files through mmap (up to 1,000 files), so every page of them it has read counts in RSS while the kernel keeps it as page cache — shared, clean and reclaimable; anonymous memory is what the process itself holds (V8 heap, buffers, native allocations, LevelDB's block cache and memtables)`,
  });
  return rows;
}
