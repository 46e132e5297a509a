import { Router } from "express";
import type { AppDeps } from "../deps";
import { ApiError } from "../errors";
import { batchSummary } from "./receiptRoutes";

/** `GET /v1/batches/:stream/:seq`: public (digests reveal nothing), so anyone can rebuild the root. */
export function batchRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get("/v1/batches/:stream/:seq", async (req, res) => {
    const stream = String(req.params.stream).toLowerCase();
    const seqText = String(req.params.seq);
    if (!/^(0|[1-9][0-9]{0,11})$/.test(seqText)) throw new ApiError("INVALID_BODY", "seq: expected a decimal integer");
    if (stream !== deps.identity.stream.toLowerCase())
      throw new ApiError("NOT_FOUND", "this service anchors only its own stream");
    const seq = Number(seqText);
    const b = await deps.store.getBatch(seq);
    const leaves = b && (await deps.store.getLeaves(seq));
    if (!b || !leaves) throw new ApiError("NOT_FOUND", "no such batch (yet)");
    res.json({ ...batchSummary(deps.identity.stream, b), stateRoot: b.stateRoot ?? null, digests: leaves.digests });
  });
  return r;
}
