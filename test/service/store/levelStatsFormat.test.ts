import path from "node:path";
import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";
import { Level } from "level";
import { agreementLoanKey } from "../../../service/store/leveldb/keys";
import { LevelStore } from "../../../service/store/leveldb/LevelStore";
import { statsFactKey } from "../../../service/store/leveldb/statsIndex";
import type { StageFact } from "../../../service/store/statsRecords";
import { tempDir, type TempDir } from "../../helpers/tempDir";

const hex32 = (): string => hexlify(randomBytes(32));

describe("LevelStore: the stats index's records as v0.2 wrote them", function () {
  let tmp: TempDir;

  beforeEach(function () {
    tmp = tempDir();
  });

  afterEach(function () {
    tmp.remove();
  });

  it("behavior: a fact and a loan record written as JSON objects (v0.2) still read; the loan has no events", async function () {
    const agreement = hex32();
    const loanId = hex32();
    const old: StageFact = {
      loanId,
      installment: 1,
      stage: 2,
      responsible: "borrower",
      at: 5,
      judged: true,
      lateBy: 7,
      backdated: false,
      candidate: false,
      duration: 60,
    };
    const dir = path.join(tmp.dir, "db");
    const raw = new Level<string, string>(dir);
    await raw.put(`!statsFacts!${statsFactKey(agreement, old)}`, JSON.stringify(old));
    await raw.put(`!loanStats!${agreementLoanKey(agreement, loanId)}`, JSON.stringify({ facts: [old] }));
    await raw.close();
    const store = new LevelStore(dir);
    await store.open();
    try {
      const facts: StageFact[] = [];
      for await (const [, f] of store.statsFacts(agreement, 5, 5)) facts.push(f);
      expect(facts).to.deep.equal([old]);
      expect(await store.getLoanStats([{ agreementId: agreement, loanId }])).to.deep.equal([
        { facts: [old], events: [] },
      ]);
    } finally {
      await store.close();
    }
  });
});
