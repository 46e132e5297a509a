import express, { Router, type Request, type Response } from "express";
import { isBytes32 } from "@repayproof/verifier";
import { assertCanReadLoan, authenticateCaller } from "../access/auth";
import type { AppDeps } from "../deps";
import { ApiError } from "../errors";
import { isItemError } from "../ingest/preprocess";
import { isAnchored, proofBundle } from "../read/proofBundle";
import { statusOf } from "../read/receiptStatus";
import { StreamReaders } from "../read/StreamReaders";
import type { BatchRecord, StoredReceipt } from "../store/records";

/** `POST /v1/receipts`, `GET /v1/receipts/:digest`, `GET /v1/receipts/:digest/proof`. */
export function receiptRoutes(deps: AppDeps): Router {
  const r = Router();
  const { reader } = deps;
  const { store } = reader;

  // Raw bytes: the JSON is parsed (with the signatures checked) in a worker thread, not here.
  r.post("/v1/receipts", express.raw({ type: () => true, limit: "2mb" }), async (req, res) => {
    const acceptedAt = Math.floor(Date.now() / 1000);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const pre = await deps.pool.run(body);
    if (isItemError(pre)) throw new ApiError(pre.error.code, pre.error.message, pre.error.details);
    const answers = await deps.admission.admit(pre.items, acceptedAt);
    if (pre.single) {
      const a = answers[0];
      if (!a) throw new ApiError("INTERNAL", "no answer for the receipt");
      if (isItemError(a)) throw new ApiError(a.error.code, a.error.message, a.error.details);
      accepted(res, a);
      return;
    }
    accepted(res, { results: answers });
  });

  async function readable(req: Request): Promise<{ digest: string; rec: StoredReceipt }> {
    const caller = await authenticateCaller(req, deps.access);
    const digest = String(req.params.digest ?? "").toLowerCase();
    if (!isBytes32(digest)) throw new ApiError("INVALID_BODY", "digest: expected 0x followed by 64 hex digits");
    const rec = await store.getReceipt(digest);
    if (!rec) throw new ApiError("NOT_FOUND", "no receipt with this digest was accepted here");
    await assertCanReadLoan(caller, deps.access, rec.receipt.agreementId, rec.receipt.loanId);
    return { digest, rec };
  }

  // Another instance's receipt (several on one database) is read from its stream's batches.
  const streams = new StreamReaders(reader);

  r.get("/v1/receipts/:digest", async (req, res) => {
    const { digest, rec } = await readable(req);
    const { reader: of, batch: b } = await streams.of(digest);
    res.json({
      digest,
      status: statusOf(b),
      receipt: rec.receipt,
      signature: rec.signature,
      ack: await reader.acks.ackOf(digest, rec),
      batch: b ? batchSummary(of.identity.stream, b) : null,
    });
  });

  r.get("/v1/receipts/:digest/proof", async (req, res) => {
    const { digest, rec } = await readable(req);
    const { reader: of, batch: b } = await streams.of(digest);
    if (!isAnchored(b)) {
      throw new ApiError("NOT_ANCHORED_YET", "the receipt's batch is not anchored yet; retry after a batch interval", {
        status: statusOf(b),
      });
    }
    res.json(await proofBundle(of, digest, rec, b));
  });

  return r;
}

/**
 * The 202 with its JSON body, as `res.json` would send it, written straight to the socket: a batch answer is
 * ~1 KB per item (each Ack's proof), and Express's `send` first copies a body that large into a Buffer.
 */
function accepted(res: Response, body: unknown): void {
  res.status(202).setHeader("Content-Type", "application/json; charset=utf-8");
  res.end(JSON.stringify(body));
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
