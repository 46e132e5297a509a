import { Router } from "express";
import { RECEIPT_TYPES, receiptDomain } from "@repayproof/verifier";
import type { AppDeps } from "../deps";

/** Public routes: `/v1/info` (fixed format), `/healthz`, `/metrics`. */
export function infoRoutes(deps: AppDeps): Router {
  const r = Router();
  const { identity, config } = deps;
  const info = {
    chainId: identity.chainId,
    rpcUrl: config.rpcUrl,
    contracts: { registry: identity.registry, anchor: identity.anchor },
    stream: identity.stream,
    operator: identity.operator,
    confirmations: config.confirmations,
    eip712: { receiptDomain: receiptDomain(identity.chainId, identity.anchor), receiptTypes: RECEIPT_TYPES },
  };
  r.get("/v1/info", (_req, res) => {
    res.json(info);
  });
  r.get("/healthz", (_req, res) => {
    const { anchorer, queue, backlog } = deps;
    const ok = !anchorer.halted;
    res.status(ok ? 200 : 503).json({
      ok,
      chain: anchorer.lastError === undefined ? "ok" : "unreachable",
      ...(anchorer.lastError ? { chainError: anchorer.lastError } : {}),
      ...(anchorer.halted ? { halted: anchorer.halted } : {}),
      ...(anchorer.feeAlert.state ? { feeCapped: anchorer.feeAlert.state } : {}),
      pending: queue.size(),
      backlog: backlog.size(),
      backlogMax: config.backlogMax,
    });
  });
  r.get("/metrics", async (_req, res) => {
    res.set("Content-Type", deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });
  return r;
}
