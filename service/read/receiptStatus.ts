import type { Ack } from "@repayproof/verifier/core";
import { ApiError } from "../errors";
import type { SharedStreams, Store } from "../store/Store";
import type { StoredAcks } from "./storedAcks";

/** A receipt's lifecycle as the API reports it. */
export type ReceiptStatus = "pending" | "sealed" | "submitted" | "anchored" | "final";

/** An accepted receipt as `POST /v1/receipts` answers it (again, when it is resubmitted). */
export interface Accepted {
  digest: string;
  status: ReceiptStatus;
  ack: Ack;
}

/**
 * The API status of an accepted receipt, from its batch's state (pending before it is sealed): in our stream,
 * else — several instances on one database — in the stream of whichever instance sealed it.
 */
export async function receiptStatus(store: Store, digest: string): Promise<ReceiptStatus> {
  let from = store;
  let seq = await store.batchSeqOf(digest);
  const stream = seq === undefined ? await store.shared?.streamOf(digest) : undefined;
  if (stream !== undefined) {
    from = (store.shared as SharedStreams).view(stream);
    seq = await from.batchSeqOf(digest);
  }
  if (seq === undefined) return "pending";
  const b = await from.getBatch(seq);
  return b ? (b.state.toLowerCase() as ReceiptStatus) : "pending";
}

/** The stored answer for an accepted receipt: its original Ack and its current status. */
export async function acceptedReceipt(store: Store, acks: StoredAcks, digest: string): Promise<Accepted> {
  const rec = await store.getReceipt(digest);
  if (!rec) throw new ApiError("INTERNAL", `receipt ${digest} vanished`);
  return { digest, status: await receiptStatus(store, digest), ack: await acks.ackOf(digest, rec) };
}
