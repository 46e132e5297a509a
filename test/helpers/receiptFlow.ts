import { expect } from "chai";
import { KIND } from "@repayproof/verifier";
import { bearer, makeReceipt, signReceipt, type Parties } from "./parties";
import type { SpawnFixture } from "./spawnFixture";
import { waitFor } from "./waitFor";

/** Submits one receipt of the platform under `agreementId` (202 asserted); returns its digest. */
export async function submitReceipt(f: SpawnFixture, p: Parties, agreementId: string): Promise<string> {
  const { item, digest } = signReceipt(f.d, makeReceipt(agreementId, p.platform, KIND.DUE), p.platform);
  const res = await f.post("/v1/receipts", item);
  expect(res.status, JSON.stringify(res.body)).to.equal(202);
  return digest;
}

/** The receipt's status as its platform reads it (pending, sealed, submitted, anchored, final). */
export async function statusOf(f: SpawnFixture, p: Parties, digest: string): Promise<string> {
  const res = await f.get(`/v1/receipts/${digest}`, bearer(f.d, p.platform));
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return (res.body as { status: string }).status;
}

/** Waits until the receipt's status is one of `states`. */
export async function waitForStatus(
  f: SpawnFixture,
  p: Parties,
  digest: string,
  states: readonly string[],
  timeoutMs = 30_000,
): Promise<void> {
  await waitFor(`${digest} ${states.join("/")}`, async () => states.includes(await statusOf(f, p, digest)), timeoutMs);
}

/** One line of the service's Prometheus text: the value of `metric` (0 when absent). */
export async function metric(f: SpawnFixture, name: string): Promise<number> {
  const res = await fetch(f.url + "/metrics");
  const line = (await res.text()).split("\n").find((l) => l.startsWith(name + " "));
  return line === undefined ? 0 : Number(line.split(" ")[1]);
}
