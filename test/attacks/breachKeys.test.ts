import { expect } from "chai";
import { KIND } from "@repayproof/verifier";
import type { HubEvent } from "../../service/events/EventHub";
import { startRouteFixture, type RouteFixture } from "../helpers/routeFixture";
import { loanIdOf, makeParties, makeReceipt, boundId, signReceipt, termsOf } from "../helpers/parties";
import { waitFor } from "../helpers/waitFor";

/**
 * Finding 12: the breach watcher tracked loans by loanId alone. A loanId is the platform's choice, so another
 * agreement can use the same one: its next anchored receipt replaced the first agreement's open breaches,
 * and `breach.closed` for them was published under the other agreement (a leak to its readers).
 */
describe("attack: the same loanId under two agreements", function () {
  let f: RouteFixture;
  const p = makeParties();
  const q = makeParties();
  const victim = boundId(p);
  const other = boundId(q);
  const loanId = loanIdOf("shared-loan-id");
  const seen: HubEvent[] = [];
  let unsubscribe: () => void = () => undefined;

  const until = (what: string, fn: () => boolean): Promise<void> =>
    waitFor(what, () => Promise.resolve(fn()), 30_000, 50);
  const breaches = (): HubEvent[] => seen.filter((e) => e.type.startsWith("breach."));

  before(async function () {
    f = await startRouteFixture({ batchIntervalMs: 200 });
    const short = { ...termsOf(p), graceSecs: 10, settleSecs: 10, forwardSecs: 10, confirmSecs: 10 };
    await f.register(p, victim, 1, short);
    await f.register(q, other);
    unsubscribe = f.svc.deps.events.subscribe(
      (e) => seen.push(e),
      () => undefined,
    );
  });
  after(async function () {
    unsubscribe();
    await f?.close();
  });

  it("behavior: neither agreement's breaches overwrite the other's, nor are published under it", async function () {
    const { d } = f;
    const now = Math.floor(Date.now() / 1000);
    const due = signReceipt(
      d,
      makeReceipt(victim, p.platform, KIND.DUE, { loanId, occurredAt: now - 100 }),
      p.platform,
    );
    expect((await f.post(due.item)).status).to.equal(202);
    await until("the victim's breach", () => breaches().some((e) => e.type === "breach.opened"));
    expect(breaches().map((e) => e.agreementId)).to.deep.equal([victim.toLowerCase()]);

    const theirs = signReceipt(d, makeReceipt(other, q.platform, KIND.DUE, { loanId }), q.platform);
    expect((await f.post(theirs.item)).status).to.equal(202);
    await until("the other agreement's batch", () =>
      seen.some((e) => e.type === "batch.anchored" && JSON.stringify(e.data).includes(theirs.digest)),
    );
    await new Promise((r) => setTimeout(r, 500)); // the watcher evaluates after publishing batch.anchored
    expect(
      breaches().map((e) => `${e.type}:${e.agreementId}`),
      "nothing closed, nothing under the other agreement",
    ).to.deep.equal([`breach.opened:${victim.toLowerCase()}`]);

    const paid = signReceipt(d, makeReceipt(victim, p.channel, KIND.INITIATED, { loanId }), p.channel);
    expect((await f.post(paid.item)).status).to.equal(202);
    await until("the victim's breach closed", () => breaches().some((e) => e.type === "breach.closed"));
    const closed = breaches().filter((e) => e.type === "breach.closed");
    expect(closed.map((e) => e.agreementId)).to.deep.equal([victim.toLowerCase()]);
    expect(closed[0]?.data).to.include({ loanId, stage: "INITIATED" });
  });
});
