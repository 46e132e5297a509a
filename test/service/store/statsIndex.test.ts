import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";
import type { Store } from "../../../service/store/Store";
import type { LoanEvent, StageFact, StatsDay } from "../../../service/store/statsRecords";
import { describeEachBackend } from "./storeBackends";

const hex32 = (): string => hexlify(randomBytes(32));

const fact = (loanId: string, at: number, stage = 1, installment = 1): StageFact => ({
  loanId,
  installment,
  stage,
  responsible: "borrower",
  at,
  judged: true,
  lateBy: 5,
  backdated: false,
  candidate: false,
  duration: null,
});

const day = (judged: number): StatsDay => ({
  rows: {
    "1|borrower": {
      stage: 1,
      responsible: "borrower",
      judged,
      late: 0,
      lateHist: {},
      lateMax: 0,
      backdated: 0,
      candidates: 0,
      durations: 0,
      durationHist: {},
      durationMax: 0,
    },
  },
});

describeEachBackend("Store: the stats index", (backend) => {
  let store: Store;
  const agreement = hex32();
  const other = hex32();
  const loans = [hex32(), hex32(), hex32()].sort();

  beforeEach(async function () {
    ({ store } = await backend().fresh());
  });

  afterEach(async function () {
    await store.close();
  });

  const loanStats = async (loanId: string) => (await store.getLoanStats([{ agreementId: agreement, loanId }]))[0];

  const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
    const out: T[] = [];
    for await (const x of it) out.push(x);
    return out;
  };

  it("behavior: stage facts come back by time, both bounds inclusive, one agreement only, and a cursor continues", async function () {
    const facts = [fact(loans[0]!, 100), fact(loans[1]!, 100), fact(loans[0]!, 99, 2), fact(loans[2]!, 200, 3, 12)];
    await store.write([
      ...facts.map((f) => ({ type: "statsFact" as const, agreementId: agreement, fact: f })),
      { type: "statsFact", agreementId: other, fact: fact(loans[0]!, 100) },
    ]);
    const all = await collect(store.statsFacts(agreement, 99, 200));
    expect(all.map(([, f]) => f)).to.deep.equal([facts[2], facts[0], facts[1], facts[3]]);
    expect((await collect(store.statsFacts(agreement, 100, 199))).map(([, f]) => f)).to.deep.equal([
      facts[0],
      facts[1],
    ]);
    const after = await collect(store.statsFacts(agreement, 99, 200, all[1]![0]));
    expect(after.map(([, f]) => f)).to.deep.equal([facts[1], facts[3]]);
    await store.write([{ type: "statsFact", agreementId: agreement, fact: facts[0]!, remove: true }]);
    expect(await collect(store.statsFacts(agreement, 100, 100))).to.have.length(1);
  });

  it("behavior: day totals by day range, loan stats by loan; a null deletes; clearStats forgets all three", async function () {
    await store.write([
      { type: "statsDay", agreementId: agreement, day: 19_000, rollup: day(1) },
      { type: "statsDay", agreementId: agreement, day: 19_002, rollup: day(2) },
      { type: "statsDay", agreementId: other, day: 19_001, rollup: day(3) },
      {
        type: "loanStats",
        agreementId: agreement,
        loanId: loans[0]!,
        stats: { facts: [fact(loans[0]!, 1)], events: [] },
      },
      { type: "statsFact", agreementId: agreement, fact: fact(loans[0]!, 1) },
    ]);
    expect(await collect(store.statsDays(agreement, 19_000, 19_002))).to.deep.equal([
      [19_000, day(1)],
      [19_002, day(2)],
    ]);
    expect(await collect(store.statsDays(agreement, 19_001, 19_001))).to.deep.equal([]);
    expect((await loanStats(loans[0]!))?.facts).to.have.length(1);
    await store.write([{ type: "statsDay", agreementId: agreement, day: 19_000, rollup: null }]);
    expect(await collect(store.statsDays(agreement, 0, 99_999))).to.have.length(1);
    await store.clearStats();
    expect(await loanStats(loans[0]!)).to.equal(undefined);
    expect(await collect(store.statsDays(other, 0, 99_999))).to.deep.equal([]);
    expect(await collect(store.statsFacts(agreement, 0, 1e12 - 1))).to.deep.equal([]);
  });

  it("behavior: facts and loan events come back exactly as written, field for field", async function () {
    const event = (kind: number, ref: string | null): LoanEvent => ({
      digest: hex32(),
      kind,
      installment: 3,
      occurredAt: 1_700_000_000,
      attester: "0x00000000000000000000000000000000000000Bb",
      amount: "123456789012345678901234567890",
      currency: 156,
      ref,
      anchoredAt: 1_700_000_060,
    });
    const events = [event(2, null), event(5, hex32())];
    const variants: StageFact[] = [];
    for (let flags = 0; flags < 8; flags++) {
      for (const [responsible, duration] of [
        [null, null],
        ["borrower", 0],
        ["0x00000000000000000000000000000000000000Aa", 86_400],
      ] as const) {
        variants.push({
          ...fact(loans[0]!, 1000 + variants.length, flags % 5, 7),
          responsible,
          judged: (flags & 1) !== 0,
          lateBy: flags & 1 ? 3_600 : 0,
          backdated: (flags & 2) !== 0,
          candidate: (flags & 4) !== 0,
          duration,
        });
      }
    }
    await store.write([
      ...variants.map((f) => ({ type: "statsFact" as const, agreementId: agreement, fact: f })),
      { type: "loanStats", agreementId: agreement, loanId: loans[0]!, stats: { facts: variants, events } },
    ]);
    const back = (await collect(store.statsFacts(agreement, 0, 1e12 - 1))).map(([, f]) => f);
    // Same fields in the same order: the stats update compares facts by their JSON.
    expect(back.map((f) => JSON.stringify(f))).to.deep.equal(variants.map((f) => JSON.stringify(f)));
    const loan = await loanStats(loans[0]!);
    expect(loan?.facts.map((f) => JSON.stringify(f))).to.deep.equal(variants.map((f) => JSON.stringify(f)));
    expect(loan?.events).to.deep.equal(events);
  });
});
