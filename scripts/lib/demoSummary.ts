import { getAddress } from "ethers";
import type { EventsReport } from "./demoEvents";

/** What the demo injected into one installment, and the occurredAt it signed for each kind. */
export interface Expected {
  loanId: string;
  agreement: "A" | "B";
  installment: number;
  scenario: "ontime" | "borrower" | "channel" | "collector" | "reversal" | "compensation";
  times: Record<number, number>;
}

interface Stage {
  stage: string;
  late: boolean;
  lateBySecs: number;
  responsible: string | null;
  open: boolean;
}
interface Installment {
  installment: number;
  status: string;
  stages: Stage[];
}
interface Timeline {
  evaluation: { installments: Installment[] };
}

export interface SummaryInput {
  expected: Expected[];
  timelines: Map<string, unknown>;
  allowances: { grace: number; settle: number; forward: number; confirm: number };
  parties: {
    borrower: string;
    collector: string;
    funderA: string;
    funderB: string;
    channels: Record<string, string>;
  };
  reconciliation: unknown;
  alerts: unknown;
  events: EventsReport;
  submitted: number;
  seconds: number;
}

const STAGES = ["INITIATED", "SETTLED", "FORWARDED", "CONFIRMED"] as const;
/** The stage a scenario makes late. */
const INJECTED: Record<Expected["scenario"], string | undefined> = {
  ontime: undefined,
  borrower: "INITIATED",
  channel: "SETTLED",
  collector: "FORWARDED",
  reversal: undefined,
  compensation: "INITIATED",
};

interface Row {
  label: string;
  judged: number;
  injected: number;
  evaluated: number;
  injectedSecs: number;
  evaluatedSecs: number;
  mismatches: number;
}

/**
 * Compares each installment's evaluation with what the demo did (late iff the signed times exceed the
 * allowance; by exactly that much; the right party), prints the table per stage and responsible party, and
 * returns whether everything matched.
 */
export function printSummary(s: SummaryInput): boolean {
  const rows = new Map<string, Row>();
  const row = (label: string): Row => {
    let r = rows.get(label);
    if (!r)
      rows.set(
        label,
        (r = { label, judged: 0, injected: 0, evaluated: 0, injectedSecs: 0, evaluatedSecs: 0, mismatches: 0 }),
      );
    return r;
  };
  const problems: string[] = [];
  const statuses = new Map<string, { expected: number; evaluated: number }>();
  const allow = [s.allowances.grace, s.allowances.settle, s.allowances.forward, s.allowances.confirm];
  const name = (a: string | null): string => {
    if (a === null) return "nobody";
    if (a === "borrower") return "borrower";
    const x = getAddress(a);
    if (x === getAddress(s.parties.collector)) return `collector (the platform) ${x.slice(0, 10)}…`;
    if (x === getAddress(s.parties.funderA)) return `funder A ${x.slice(0, 10)}…`;
    if (x === getAddress(s.parties.funderB)) return `funder B ${x.slice(0, 10)}…`;
    const ch = Object.entries(s.parties.channels).find(([k]) => getAddress(k) === x);
    return ch ? `channel "${ch[1]}" ${x.slice(0, 10)}…` : x;
  };

  for (const e of s.expected) {
    const tl = s.timelines.get(e.loanId) as Timeline | undefined;
    const inst = tl?.evaluation.installments.find((i) => i.installment === e.installment);
    const where = `loan ${e.loanId.slice(0, 10)}… installment ${e.installment} (${e.scenario})`;
    if (!inst) {
      problems.push(`${where}: not in the service's evaluation`);
      continue;
    }
    const wantStatus = e.scenario === "reversal" ? "reversed" : e.scenario === "compensation" ? "compensated" : "paid";
    const st = statuses.get(wantStatus) ?? { expected: 0, evaluated: 0 };
    st.expected++;
    statuses.set(wantStatus, st);
    if (inst.status === wantStatus) st.evaluated++;
    else problems.push(`${where}: status ${inst.status}, expected ${wantStatus}`);

    STAGES.forEach((stage, k) => {
      const ev = inst.stages.find((x) => x.stage === stage);
      const prev = e.times[k + 1];
      // The stage's time, or for the borrower who never paid, the guarantor's payment that closed it.
      const at = e.times[k + 2] ?? (k === 0 && e.scenario === "compensation" ? e.times[7] : undefined);
      if (prev === undefined || at === undefined) {
        if (ev?.late) problems.push(`${where}: ${stage} judged late, but it had no start to be judged from`);
        return;
      }
      const expectLateBy = Math.max(0, at - prev - (allow[k] as number));
      const responsible = ev?.responsible ?? null;
      const r = row(`${stage.padEnd(9)} ${name(responsible)}`);
      r.judged++;
      if (INJECTED[e.scenario] === stage) {
        r.injected++;
        r.injectedSecs += expectLateBy;
        if (expectLateBy === 0)
          problems.push(`${where}: the injected delay did not make ${stage} late (clock jitter?)`);
      } else if (expectLateBy > 0) problems.push(`${where}: ${stage} late by ${expectLateBy}s without injection`);
      if (ev?.late) {
        r.evaluated++;
        r.evaluatedSecs += ev.lateBySecs;
      }
      const wantResp =
        k === 0
          ? "borrower"
          : k === 2
            ? s.parties.collector
            : k === 3
              ? e.agreement === "A"
                ? s.parties.funderA
                : s.parties.funderB
              : null;
      if (!ev || ev.late !== expectLateBy > 0 || ev.lateBySecs !== expectLateBy || ev.open) {
        r.mismatches++;
        problems.push(
          `${where}: ${stage} evaluated late=${ev?.late} by ${ev?.lateBySecs}s open=${ev?.open}, expected late by ${expectLateBy}s`,
        );
      } else if (wantResp !== null && responsible !== null && responsible.toLowerCase() !== wantResp.toLowerCase()) {
        r.mismatches++;
        problems.push(`${where}: ${stage} responsible ${responsible}, expected ${wantResp}`);
      }
    });
  }

  const table = [...rows.values()].sort((a, b) => a.label.localeCompare(b.label));
  const head = [
    "stage / responsible party",
    "judged",
    "late: injected",
    "late: evaluated",
    "late s: injected",
    "late s: evaluated",
    "",
  ];
  const lines = table.map((r) => [
    r.label,
    String(r.judged),
    String(r.injected),
    String(r.evaluated),
    String(r.injectedSecs),
    String(r.evaluatedSecs),
    r.mismatches === 0 && r.injected === r.evaluated ? "match" : "MISMATCH",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const fmt = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ");
  console.log(
    `\nSummary — ${s.submitted} receipts in ${s.seconds.toFixed(1)} s; the service's timeline evaluations against the injected delays:\n`,
  );
  console.log(fmt(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const l of lines) console.log(fmt(l));
  console.log(
    `\nInstallment status (expected → evaluated): ${[...statuses].map(([k, v]) => `${k} ${v.expected} → ${v.evaluated}`).join(", ")}`,
  );

  const ev = s.events;
  console.log(
    `Live events heard by funder A: ${
      Object.entries(ev.counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "none"
    }; ${ev.foreign} of other agreements; ` +
      `${ev.repaymentsHeard} settlements heard anchored (p50 ${ev.p50Ms ?? "–"} ms, max ${ev.maxMs ?? "–"} ms after submission)` +
      (ev.repaymentsUnheard ? `, ${ev.repaymentsUnheard} NOT heard` : ""),
  );
  const rec = s.reconciliation as {
    days?: { date: string; currencies: Record<string, Record<string, string>> }[];
    float?: { currency: number; amount: string; ageSecs: number | null }[];
  };
  for (const d of rec.days ?? []) {
    for (const [c, a] of Object.entries(d.currencies)) {
      console.log(
        `Reconciliation, agreement A, ${d.date} (UTC), currency ${c}: due ${a.due}, settled ${a.settled}, forwarded ${a.forwarded}, confirmed ${a.confirmed}, reversed ${a.reversed}, compensated ${a.compensated}; float at end of day ${a.floatAtEndOfDay}`,
      );
    }
  }
  for (const f of rec.float ?? [])
    console.log(
      `Collector float now, currency ${f.currency}: ${f.amount} (oldest unforwarded: ${f.ageSecs === null ? "none" : `${f.ageSecs} s`})`,
    );
  const al = s.alerts as { counts?: Record<string, number> };
  console.log(`Alerts for funder A now: ${JSON.stringify(al.counts ?? al)}`);

  const eventProblems = ev.foreign > 0 || ev.repaymentsUnheard > 0;
  if (ev.foreign > 0) problems.push(`funder A heard ${ev.foreign} events of another agreement`);
  if (ev.repaymentsUnheard > 0) problems.push(`funder A never heard ${ev.repaymentsUnheard} settlements anchored`);
  if (problems.length > 0) {
    console.log(`\n${problems.length} problem(s):`);
    for (const p of problems.slice(0, 30)) console.log("  " + p);
  }
  return problems.length === 0 && !eventProblems;
}
