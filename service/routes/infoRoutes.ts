import { Router } from "express";
import { RECEIPT_TYPES, receiptDomain } from "@repayproof/verifier";
import type { AppDeps } from "../deps";
import { publicRpcUrl } from "../secrets";

/**
 * Public routes: `/v1/info` (fixed format; its rpcUrl never carries RPC_URL's secrets), `/healthz` (the
 * chain's state, never the RPC's own error text: ethers quotes the request URL, API key and all),
 * `/metrics`.
 */
export function infoRoutes(deps: AppDeps): Router {
  const r = Router();
  const { identity, config } = deps;
  const info = {
    chainId: identity.chainId,
    rpcUrl: publicRpcUrl(config),
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
    if (!ok) res.setHeader("Retry-After", "60"); // every 503 says when to look again; a halt needs an operator
    res.status(ok ? 200 : 503).json({
      ok,
      chain: anchorer.lastError === undefined ? "ok" : "unreachable",
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
