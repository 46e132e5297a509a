import type { Ack } from "@repayproof/verifier/core";
import { ApiError } from "../errors";
import type { BatchRecord } from "../store/records";
import type { StreamReaders } from "./StreamReaders";

/** A receipt's lifecycle as the API reports it. */
export type ReceiptStatus = "pending" | "sealed" | "submitted" | "anchored" | "final";

/** An accepted receipt as `POST /v1/receipts` answers it (again, when it is resubmitted). */
export interface Accepted {
  digest: string;
  status: ReceiptStatus;
  ack: Ack;
}

/** A receipt's API status from its batch (as read/StreamReaders.ts `of` finds it): pending while in none. */
export function statusOf(batch: BatchRecord | undefined): ReceiptStatus {
  return batch ? (batch.state.toLowerCase() as ReceiptStatus) : "pending";
}

/**
 * The stored answer for an accepted receipt: its original Ack, and its current status in the stream that sealed
 * it (several instances on one database: any instance's).
 */
export async function acceptedReceipt(streams: StreamReaders, digest: string): Promise<Accepted> {
  const { store, acks } = streams.own;
  const rec = await store.getReceipt(digest);
  if (!rec) throw new ApiError("INTERNAL", `receipt ${digest} vanished`);
  const { batch } = await streams.of(digest);
  return { digest, status: statusOf(batch), ack: await acks.ackOf(digest, rec) };
}
