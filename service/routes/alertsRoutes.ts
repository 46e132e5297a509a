import { Router } from "express";
import { evaluateTimeline, type AgreementVersion } from "@repayproof/verifier";
import { agreementReceipts, checkQuery, readableAgreement, readableAgreements } from "../agreementScope";
import { authenticate } from "../auth";
import type { AppDeps } from "../deps";
import { floatsOf, withoutVoided } from "../reconcile";
import type { StoredReceipt } from "../store/records";
import { toTimelineEvents } from "../loanEvents";

/** Most ANCHOR_OVERDUE alerts listed (the count says how many there are). */
const MAX_ANCHOR_ALERTS = 1000;

type Alert = Record<string, unknown> & { type: "BREACH_OPEN" | "FLOAT_OVERDUE" | "ANCHOR_OVERDUE" };

/**
 * `GET /v1/alerts[?agreementId=…]`: early warnings for the agreements the reader belongs to (regulators:
 * all): open breaches, collector float older than the forwarding allowance, and receipts past their Ack's
 * `anchorBy` without an anchor (docs/api.md, "Alerts"). Judged at the service's clock.
 */
export function alertsRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get("/v1/alerts", async (req, res) => {
    const party = authenticate(req, deps.identity.domainSeparator);
    const q = checkQuery(req.query as Record<string, unknown>, ["agreementId"]);
    const scope =
      q.agreementId === undefined
        ? await readableAgreements(deps, party)
        : [await readableAgreement(deps, party, q.agreementId)];
    const now = Math.floor(Date.now() / 1000);
    const alerts: Alert[] = [];
    for (const { agreementId, versions } of scope)
      alerts.push(...(await agreementAlerts(deps, agreementId, versions, now)));
    const ids = new Set(scope.map((s) => s.agreementId));
    const overdue = await overdueAnchors(deps, ids, now);
    alerts.push(...overdue.listed);
    res.json({
      asOf: now,
      agreements: scope.length,
      counts: {
        BREACH_OPEN: alerts.filter((a) => a.type === "BREACH_OPEN").length,
        FLOAT_OVERDUE: alerts.filter((a) => a.type === "FLOAT_OVERDUE").length,
        ANCHOR_OVERDUE: overdue.total,
      },
      alerts,
    });
  });
  return r;
}

async function agreementAlerts(
  deps: AppDeps,
  agreementId: string,
  versions: AgreementVersion[],
  now: number,
): Promise<Alert[]> {
  const out: Alert[] = [];
  const loans = await agreementReceipts(deps, agreementId);
  for (const [loanId, receipts] of loans) {
    if (receipts.length === 0) continue;
    const evaluation = evaluateTimeline({ events: toTimelineEvents(receipts), versions, now });
    for (const inst of evaluation.installments) {
      for (const s of inst.stages) {
        if (!s.open) continue;
        out.push({
          type: "BREACH_OPEN",
          agreementId,
          loanId,
          installment: inst.installment,
          stage: s.stage,
          responsible: s.responsible,
          deadline: s.deadline,
          lateBySecs: s.lateBySecs,
        });
      }
    }
  }
  const latest = versions[versions.length - 1] as AgreementVersion;
  const counted = withoutVoided(
    [...loans.values()].flat().map((x) => ({ digest: x.digest, receipt: x.stored.receipt })),
  );
  for (const f of floatsOf(counted, now)) {
    if (f.ageSecs === null || f.ageSecs <= latest.terms.forwardSecs) continue;
    out.push({
      type: "FLOAT_OVERDUE",
      agreementId,
      collector: latest.terms.collector,
      forwardSecs: latest.terms.forwardSecs,
      ...f,
    });
  }
  return out;
}

/**
 * Receipts past their Ack's `anchorBy` and not anchored: only the unanchored tail is read (sealed batches
 * not yet mined, then the pending queue, oldest first), and reading stops at the first receipt that cannot
 * be overdue yet (accepted less than MAX_ANCHOR_DELAY_S ago).
 */
async function overdueAnchors(
  deps: AppDeps,
  ids: Set<string>,
  now: number,
): Promise<{ listed: Alert[]; total: number }> {
  const listed: Alert[] = [];
  let total = 0;
  const candidates: { digest: string; acceptedAtMs: number; status: string }[] = [];
  const cutoffMs = (now - deps.config.maxAnchorDelayS) * 1000;
  for (const b of await deps.store.unfinishedBatches()) {
    if (b.state !== "SEALED" && b.state !== "SUBMITTED") continue;
    const leaves = await deps.store.getLeaves(b.seq);
    leaves?.digests.forEach((digest, i) => {
      const at = leaves.acceptedAtMs[i] ?? 0;
      if (at < cutoffMs) candidates.push({ digest, acceptedAtMs: at, status: b.state.toLowerCase() });
    });
  }
  scan: for await (const v of deps.store.pending.values()) {
    for (const e of v.split(",")) {
      const [digest, at] = e.split(":");
      if (Number(at) >= cutoffMs) break scan;
      candidates.push({ digest: digest as string, acceptedAtMs: Number(at), status: "pending" });
    }
  }
  for (let i = 0; i < candidates.length; i += 500) {
    const chunk = candidates.slice(i, i + 500);
    const values = await deps.store.receipts.getMany(chunk.map((c) => c.digest));
    values.forEach((v, j) => {
      if (v === undefined) return;
      const rec = JSON.parse(v) as StoredReceipt;
      const agreementId = rec.receipt.agreementId.toLowerCase();
      if (!ids.has(agreementId) || rec.anchorBy >= now) return;
      total++;
      if (listed.length < MAX_ANCHOR_ALERTS) {
        listed.push({
          type: "ANCHOR_OVERDUE",
          agreementId,
          digest: chunk[j]?.digest,
          loanId: rec.receipt.loanId,
          acceptedAt: rec.acceptedAt,
          anchorBy: rec.anchorBy,
          overdueSecs: now - rec.anchorBy,
          status: chunk[j]?.status,
        });
      }
    });
  }
  return { listed, total };
}
