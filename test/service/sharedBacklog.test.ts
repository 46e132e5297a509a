import { expect } from "chai";
import { KIND } from "@repayproof/verifier";
import { hexlify, randomBytes } from "ethers";
import { postJson } from "../../scripts/devnet";
import { boundId, makeParties, makeReceipt, signReceipt } from "../helpers/parties";
import type { Json } from "../helpers/spawnFixture";
import { startTwoInstances, type TwoInstances } from "../helpers/twoInstances";

/** LiveInstances' heartbeat (5 s), and a little: by then each instance counts the other alive. */
const BEAT_MS = 6_000;

describe("the backlog's bounds shared by two instances on one PostgreSQL database", function () {
  this.timeout(300_000);
  let two: TwoInstances | undefined;
  const p = makeParties();

  before(async function () {
    // Nothing is sealed (so nothing anchored, nothing released) while the test runs.
    const env = { BATCH_INTERVAL_MS: "3600000", BACKLOG_MAX: "8", BACKLOG_PER_AGREEMENT: "4", WORKERS: "0" };
    two = await startTwoInstances(this, env);
  });

  after(async function () {
    await two?.close();
  });

  it("error: QUOTA_EXCEEDED once an agreement holds its share across both, BACKLOG_FULL once both hold BACKLOG_MAX", async function () {
    const { f, b } = two!;
    const urls = [f.url, b.url] as const;
    const [x, y, z] = [1, 2, 3].map(() => boundId(p, hexlify(randomBytes(32)))) as [string, string, string];
    for (const id of [x, y, z]) await f.register(p, id);
    // B learns of the agreements from the chain: a VOIDED naming nothing is refused whatever, after the terms.
    for (const id of [x, y, z]) {
      for (let tries = 0; ; tries++) {
        const probe = makeReceipt(id, p.platform, KIND.VOIDED, { ref: hexlify(randomBytes(32)) });
        const r = await postJson<Json>(`${urls[1]}/v1/receipts`, signReceipt(f.d, probe, p.platform).item);
        if (r.body.error?.code !== "UNKNOWN_AGREEMENT" || tries > 50) break;
        await new Promise((res) => setTimeout(res, 200));
      }
    }
    await new Promise((res) => setTimeout(res, BEAT_MS));
    const post = (to: 0 | 1, id: string) =>
      postJson<Json>(
        `${urls[to]}/v1/receipts`,
        signReceipt(f.d, makeReceipt(id, p.platform, KIND.DUE), p.platform).item,
      );
    const codes = async (to: 0 | 1, id: string, n: number): Promise<(number | string)[]> => {
      const out: (number | string)[] = [];
      for (let i = 0; i < n; i++) {
        const r = await post(to, id);
        out.push(r.status === 202 ? 202 : `${r.status} ${r.body.error?.code}`);
      }
      return out;
    };

    // x's share is 4 in all: 2 through each instance, then neither takes another of x.
    expect(await codes(0, x, 2)).to.deep.equal([202, 202]);
    expect(await codes(1, x, 2)).to.deep.equal([202, 202]);
    expect(await codes(0, x, 1)).to.deep.equal(["429 QUOTA_EXCEEDED"]);
    expect(await codes(1, x, 1)).to.deep.equal(["429 QUOTA_EXCEEDED"]);
    // The backlog is 8 in all: 4 through each instance, then neither takes another receipt of anyone.
    expect(await codes(0, y, 2)).to.deep.equal([202, 202]);
    expect(await codes(1, y, 2)).to.deep.equal([202, 202]);
    expect(await codes(0, z, 1)).to.deep.equal(["503 BACKLOG_FULL"]);
    expect(await codes(1, z, 1)).to.deep.equal(["503 BACKLOG_FULL"]);
  });
});
