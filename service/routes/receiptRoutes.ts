import express, { Router, type Request } from "express";
import { isBytes32 } from "@repayproof/verifier";
import { statusOf } from "../admission";
import { assertCanRead, authenticate } from "../auth";
import type { AppDeps } from "../deps";
import { ApiError } from "../errors";
import { isItemError } from "../ingest/preprocess";
import { BatchTrees, isAnchored, proofBundle } from "../proofBundle";
import type { BatchRecord, StoredReceipt } from "../store/records";

/** `POST /v1/receipts`, `GET /v1/receipts/:digest`, `GET /v1/receipts/:digest/proof`. */
export function receiptRoutes(deps: AppDeps): Router {
  const r = Router();
  const { store, identity } = deps;
  const trees = new BatchTrees(store);

  // Raw bytes: the JSON is parsed (with the signatures checked) in a worker thread, not here.
  r.post("/v1/receipts", express.raw({ type: () => true, limit: "2mb" }), async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const pre = await deps.pool.run(body, Math.floor(Date.now() / 1000));
    if (isItemError(pre)) throw new ApiError(pre.error.code, pre.error.message, pre.error.details);
    const answers = await deps.admission.admit(pre.items);
    if (pre.single) {
      const a = answers[0];
      if (!a) throw new ApiError("INTERNAL", "no answer for the receipt");
      if (isItemError(a)) throw new ApiError(a.error.code, a.error.message, a.error.details);
      res.status(202).json(a);
      return;
    }
    res.status(202).json({ results: answers });
  });

  async function readable(req: Request): Promise<{ digest: string; rec: StoredReceipt }> {
    const party = authenticate(req, identity.domainSeparator);
    const digest = String(req.params.digest ?? "").toLowerCase();
    if (!isBytes32(digest)) throw new ApiError("INVALID_BODY", "digest: expected 0x followed by 64 hex digits");
    const rec = await store.getReceipt(digest);
    if (!rec) throw new ApiError("NOT_FOUND", "no receipt with this digest was accepted here");
    assertCanRead(party, deps.config.regulators, await deps.terms.get(rec.receipt.agreementId));
    return { digest, rec };
  }

  async function batchOf(digest: string): Promise<BatchRecord | undefined> {
    const seq = await store.batchSeqOf(digest);
    return seq === undefined ? undefined : store.getBatch(seq);
  }

  r.get("/v1/receipts/:digest", async (req, res) => {
    const { digest, rec } = await readable(req);
    const b = await batchOf(digest);
    res.json({
      digest,
      status: await statusOf(store, digest),
      receipt: rec.receipt,
      signature: rec.signature,
      ack: { acceptedAt: rec.acceptedAt, anchorBy: rec.anchorBy, signature: rec.ackSignature },
      batch: b ? batchSummary(identity.stream, b) : null,
    });
  });

  r.get("/v1/receipts/:digest/proof", async (req, res) => {
    const { digest, rec } = await readable(req);
    const b = await batchOf(digest);
    if (!isAnchored(b)) {
      throw new ApiError("NOT_ANCHORED_YET", "the receipt's batch is not anchored yet; retry after a batch interval", {
        status: b ? b.state.toLowerCase() : "pending",
      });
    }
    res.json(await proofBundle(identity, trees, digest, rec, b));
  });

  return r;
}

/** A batch as the API shows it. */
export function batchSummary(stream: string, b: BatchRecord): Record<string, unknown> {
  return {
    stream,
    seq: b.seq,
    root: b.root,
    count: b.count,
    state: b.state.toLowerCase(),
    txHash: b.txHash ?? null,
    blockNumber: b.blockNumber ?? null,
    anchoredAt: b.anchoredAt ?? null,
  };
}
