import fs from "node:fs";

/**
 * What a process costs, read from /proc (Linux): CPU time per thread and resident memory. The ingest
 * suite reads the service's before and after a timed run to say where each receipt's CPU goes. Elsewhere
 * (no /proc) every reader returns undefined and the rows that need it say "not measured".
 */

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on every Linux Node supports). */
const USER_HZ = 100;

/** CPU ms (user + system) of one /proc stat file, or undefined when it cannot be read. */
function statCpuMs(file: string): number | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
}

/** Which part of the service a thread is: its main thread, an ingest worker (it names itself), or the rest. */
export type ThreadKind = "main" | "workers" | "other";

/** CPU ms per thread kind of process `pid` so far (threads that ended are lost: take both reads alive). */
export type ThreadCpu = Record<ThreadKind, number>;

export function threadCpuMs(pid: number): ThreadCpu | undefined {
  const out: ThreadCpu = { main: 0, workers: 0, other: 0 };
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  for (const tid of tids) {
    const ms = statCpuMs(`/proc/${pid}/task/${tid}/stat`);
    if (ms === undefined) continue; // the thread ended between the listing and the read
    let name: string;
    try {
      name = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
    } catch {
      continue;
    }
    const kind: ThreadKind = tid === String(pid) ? "main" : name === "ingest-worker" ? "workers" : "other";
    out[kind] += ms;
  }
  return out;
}

/** The difference of two reads, thread kind by thread kind. */
export function cpuDelta(before: ThreadCpu, after: ThreadCpu): ThreadCpu & { all: number } {
  const main = after.main - before.main;
  const workers = after.workers - before.workers;
  const other = after.other - before.other;
  return { main, workers, other, all: main + workers + other };
}

function statusKb(pid: number, field: "VmRSS" | "VmHWM" | "RssAnon" | "RssFile"): number | undefined {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Resident memory now, in bytes. */
export function rssBytes(pid: number): number | undefined {
  const kb = statusKb(pid, "VmRSS");
  return kb === undefined ? undefined : kb * 1024;
}

/** Peak resident memory (VmHWM) since the process started or since {@link resetPeakRss}, in bytes. */
export function peakRssBytes(pid: number): number | undefined {
  const kb = statusKb(pid, "VmHWM");
  return kb === undefined ? undefined : kb * 1024;
}

/** Resets VmHWM to the current RSS (`5` into /proc/<pid>/clear_refs, Linux ≥ 4.0); false when refused. */
export function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/**
 * Samples a process's anonymous resident memory (RssAnon: heap, buffers, native allocations, LevelDB's
 * caches) every `ms` until stopped, keeping its peak. Apart from file-backed pages (RssFile): LevelDB reads
 * its table files through mmap, so pages of the files it read count in RSS while the kernel holds them as
 * page cache, shared and reclaimable, however little the process itself allocates.
 */
export function sampleAnon(pid: number, ms = 50): () => { peakAnonMb: number; fileAtPeakMb: number } | undefined {
  let peak: { anon: number; file: number } | undefined;
  const take = (): void => {
    const anon = statusKb(pid, "RssAnon");
    const file = statusKb(pid, "RssFile");
    if (anon !== undefined && file !== undefined && anon > (peak?.anon ?? -1)) peak = { anon, file };
  };
  take();
  const timer = setInterval(take, ms);
  return () => {
    clearInterval(timer);
    take();
    return peak && { peakAnonMb: (peak.anon * 1024) / 2 ** 20, fileAtPeakMb: (peak.file * 1024) / 2 ** 20 };
  };
}
