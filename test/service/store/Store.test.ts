import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";
import type { AgreementVersion } from "@repayproof/verifier";
import type { Store, WriteOp } from "../../../service/store/Store";
import type { AckGroup, BatchRecord, ChainIdentity, StateNode } from "../../../service/store/records";
import { spawnChild } from "../../../scripts/devnet";
import { tempDir, type TempDir } from "../../helpers/tempDir";
import { describeEachBackend } from "./storeBackends";

const hex32 = (): string => hexlify(randomBytes(32));
const address = (): string => hexlify(randomBytes(20));

const batch = (seq: number, state: BatchRecord["state"], anchoredAt?: number): BatchRecord => ({
  seq,
  root: hex32(),
  count: 2,
  state,
  sealedAt: 1_000 + seq,
  txs: [
    { hash: hex32(), nonce: seq, raw: "0x02f8", sentAt: 2_000 + seq, maxFeePerGas: "10", maxPriorityFeePerGas: "1" },
  ],
  ...(anchoredAt === undefined ? {} : { anchoredAt, blockNumber: seq + 10, txHash: hex32() }),
});

/** One generation of the crash test's writes: 100 pending entries of generation `g` replace those of `g - 1`. */
const GENERATION = 100;

describeEachBackend("Store", (backend) => {
  let tmp: TempDir;
  let store: Store;
  let place: string;

  beforeEach(async function () {
    tmp = tempDir();
    ({ store, place } = await backend().fresh());
  });

  afterEach(async function () {
    await store.close().catch(() => undefined);
    tmp.remove();
  });

  /** Reopens the database: what was written must come back from disk, not from memory. */
  async function reopen(): Promise<void> {
    await store.close();
    store = await backend().open(place);
  }

  it("behavior: every op type round-trips through its reads, after a reopen", async function () {
    const digest = hex32();
    const other = hex32();
    const attester = address();
    const loanId = hex32();
    const agreementId = hex32();
    const record = JSON.stringify({
      receipt: { attester },
      signature: "0x01",
      acceptedAt: 5,
      anchorBy: 65,
      ackRoot: other,
    });
    const group: AckGroup = { root: hex32(), acceptedAt: 5, anchorBy: 65, signature: "0x02", digests: [digest, other] };
    const b0 = batch(0, "FINAL", 900);
    const b1 = batch(1, "ANCHORED", 950);
    const b2 = batch(2, "SUBMITTED");
    const versions: AgreementVersion[] = [
      {
        version: 1,
        effectiveAt: 100,
        blockNumber: 3,
        terms: {
          platform: address(),
          funder: address(),
          collector: address(),
          guarantor: "0x0000000000000000000000000000000000000000",
          channels: [address()],
          graceSecs: 1,
          settleSecs: 2,
          forwardSecs: 3,
          confirmSecs: 4,
          reportSecs: 5,
          disclosureHash: hex32(),
        },
      },
    ];
    const identity: ChainIdentity = {
      chainId: 31337,
      anchor: address(),
      registry: address(),
      identityBlock: 1,
      identityHash: hex32(),
    };
    const ops: WriteOp[] = [
      { type: "receipt", digest, record },
      { type: "nonce", attester, nonce: "42", digest },
      { type: "loanReceipt", loanId, digest },
      { type: "loanReceipt", loanId, digest: other },
      { type: "agreementLoan", agreementId, loanId },
      { type: "ackGroup", group },
      { type: "pending", key: 0, entry: `${digest}:1` },
      { type: "pending", key: 1, entry: `${other}:2` },
      { type: "batch", batch: b0 },
      { type: "batch", batch: b1 },
      { type: "batch", batch: b2 },
      { type: "leaves", seq: 1, leaves: { digests: [digest, other], acceptedAtMs: [1, 2] } },
      { type: "batchOf", digest, seq: 1 },
      { type: "terms", agreementId: agreementId.toUpperCase().replace("0X", "0x"), versions },
      { type: "meta", name: "termsBlock", value: 77 },
      { type: "meta", name: "identity", value: identity },
    ];
    const covered = new Set(ops.map((o) => o.type));
    await store.write(ops);
    await store.write([{ type: "pendingDone", key: 0 }]);
    covered.add("pendingDone");
    await reopen();

    expect(await store.getReceipt(digest)).to.deep.equal(JSON.parse(record));
    expect(await store.getReceipts([other, digest])).to.deep.equal([undefined, JSON.parse(record)]);
    expect(
      await store.nonceOwners([
        { attester: attester.toUpperCase().replace("0X", "0x"), nonce: "42" },
        { attester, nonce: "43" },
      ]),
    ).to.deep.equal([digest, undefined]);
    expect((await store.digestsOfLoan(loanId)).sort()).to.deep.equal([digest, other].sort());
    expect(await store.loansOfAgreement(agreementId)).to.deep.equal([loanId.toLowerCase()]);
    expect(await store.getAckGroup(group.root)).to.deep.equal(group);
    const pending: [number, string][] = [];
    for await (const e of store.pendingEntries()) pending.push(e);
    expect(pending, "pendingDone removed key 0").to.deep.equal([[1, `${other}:2`]]);
    expect(await store.getBatch(1)).to.deep.equal(b1);
    expect(await store.lastBatch()).to.deep.equal(b2);
    expect(await store.unfinishedBatches(), "the tail not yet FINAL, oldest first").to.deep.equal([b1, b2]);
    expect(await store.latestAnchoredAt()).to.equal(950);
    expect(await store.getLeaves(1)).to.deep.equal({ digests: [digest, other], acceptedAtMs: [1, 2] });
    expect(await store.batchSeqOf(digest)).to.equal(1);
    expect(await store.batchSeqsOf([other, digest])).to.deep.equal([undefined, 1]);
    expect(await store.getTerms(agreementId), "terms are keyed by the lower-case id").to.deep.equal(versions);
    const terms: [string, AgreementVersion[]][] = [];
    for await (const e of store.termsEntries()) terms.push(e);
    expect(terms).to.deep.equal([[agreementId.toLowerCase(), versions]]);
    expect(await store.getMeta("termsBlock")).to.equal(77);
    expect(await store.getIdentity()).to.deep.equal(identity);
    expect([...covered].sort(), "every op type is written above").to.deep.equal([
      "ackGroup",
      "agreementLoan",
      "batch",
      "batchOf",
      "leaves",
      "loanReceipt",
      "meta",
      "nonce",
      "pending",
      "pendingDone",
      "receipt",
      "terms",
    ]);
  });

  it("behavior: loan state tree nodes round-trip in every shape, the last write wins, read in the order asked; a batch keeps its stateRoot — after a reopen", async function () {
    const zero = "0x" + "00".repeat(32);
    const inner: StateNode = { left: hex32(), right: hex32() };
    const leftOnly: StateNode = { left: hex32(), right: zero };
    const rightOnly: StateNode = { left: zero, right: hex32() };
    const leaf: StateNode = { key: hex32(), count: 12_345, head: hex32() };
    const becomesInner: StateNode = { key: hex32(), count: 1, head: hex32() };
    const sealed = { ...batch(3, "SEALED"), stateRoot: hex32() };
    await store.write([
      { type: "stateNode", path: "", node: inner },
      { type: "stateNode", path: "0", node: leftOnly },
      { type: "stateNode", path: "1", node: becomesInner },
      { type: "batch", batch: sealed },
    ]);
    // A second write in one batch and across writes: the later node replaces the earlier one at its path.
    await store.write([
      { type: "stateNode", path: "1", node: rightOnly },
      { type: "stateNode", path: "10", node: leaf },
      { type: "stateNode", path: "10", node: leaf },
    ]);
    await reopen();
    expect(await store.stateNodes(["10", "nothing", "", "1", "0"])).to.deep.equal([
      leaf,
      undefined,
      inner,
      rightOnly,
      leftOnly,
    ]);
    expect(await store.stateNodes([])).to.deep.equal([]);
    expect((await store.getBatch(3))?.stateRoot).to.equal(sealed.stateRoot);
    expect((await store.lastBatch())?.stateRoot).to.equal(sealed.stateRoot);
  });

  it("behavior: what each batch overwrote in the state tree is kept until dropped through a FINAL seq", async function () {
    const leaf = { key: hex32(), count: 2, head: hex32() };
    const inner = { left: hex32(), right: hex32() };
    await store.write([
      { type: "stateUndo", seq: 4, path: "", node: inner },
      { type: "stateUndo", seq: 4, path: "00a", node: null },
      { type: "stateUndo", seq: 5, path: "", node: leaf },
      { type: "stateUndo", seq: 6, path: "01ab", node: leaf },
    ]);
    await reopen();
    const refs = [
      { seq: 4, path: "" },
      { seq: 4, path: "00a" },
      { seq: 5, path: "" },
      { seq: 5, path: "00a" },
      { seq: 6, path: "01ab" },
    ];
    expect(await store.stateUndo(refs), "null: nothing was there; undefined: not written").to.deep.equal([
      inner,
      null,
      leaf,
      undefined,
      leaf,
    ]);
    expect(await store.stateUndo([])).to.deep.equal([]);
    await store.dropStateUndo(5);
    expect(await store.stateUndo(refs)).to.deep.equal([undefined, undefined, undefined, undefined, leaf]);
    await store.dropStateUndo(5);
    expect(await store.stateUndo([{ seq: 6, path: "01ab" }]), "dropping again changes nothing").to.deep.equal([leaf]);
  });

  it("behavior: what was never written reads as undefined or empty", async function () {
    const d = hex32();
    expect(await store.getReceipt(d)).to.equal(undefined);
    expect(await store.getReceipts([])).to.deep.equal([]);
    expect(await store.nonceOwners([])).to.deep.equal([]);
    expect(await store.getAckGroup(d)).to.equal(undefined);
    expect(await store.getBatch(0)).to.equal(undefined);
    expect(await store.getLeaves(0)).to.equal(undefined);
    expect(await store.batchSeqOf(d)).to.equal(undefined);
    expect(await store.lastBatch()).to.equal(undefined);
    expect(await store.unfinishedBatches()).to.deep.equal([]);
    expect(await store.latestAnchoredAt()).to.equal(undefined);
    expect(await store.digestsOfLoan(d)).to.deep.equal([]);
    expect(await store.getTerms(d)).to.equal(undefined);
    expect(await store.getMeta("nothing")).to.equal(undefined);
    expect(await store.getIdentity()).to.equal(undefined);
  });

  it("behavior: batches sort by seq past ten (fixed-width keys), and a loan's index holds only its own", async function () {
    for (const seq of [9, 10, 2, 11]) await store.write([{ type: "batch", batch: batch(seq, "SEALED") }]);
    expect((await store.lastBatch())?.seq).to.equal(11);
    expect((await store.unfinishedBatches()).map((b) => b.seq)).to.deep.equal([2, 9, 10, 11]);
    const loan = hex32();
    const d = hex32();
    await store.write([
      { type: "loanReceipt", loanId: loan, digest: d },
      { type: "loanReceipt", loanId: loan + "ff", digest: hex32() },
    ]);
    expect(await store.digestsOfLoan(loan)).to.deep.equal([d]);
  });

  it("error: a write with an op that cannot be encoded writes none of its ops", async function () {
    const d = hex32();
    const bad = { type: "meta", name: "bad", value: 1n } as WriteOp; // JSON has no bigint
    const failed = await store
      .write([{ type: "receipt", digest: d, record: "{}" }, { type: "batchOf", digest: d, seq: 3 }, bad])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(failed).to.be.instanceOf(TypeError);
    expect(await store.getReceipt(d)).to.equal(undefined);
    expect(await store.batchSeqOf(d)).to.equal(undefined);
    await store.write([{ type: "batchOf", digest: d, seq: 3 }]);
    expect(await store.batchSeqOf(d), "the store is still usable").to.equal(3);
  });

  it("behavior: a reader never sees half a write (each read is one whole generation)", async function () {
    const write = (g: number): Promise<void> => {
      const ops: WriteOp[] = [];
      for (let i = 0; i < GENERATION; i++) {
        if (g > 0) ops.push({ type: "pendingDone", key: (g - 1) * GENERATION + i });
        ops.push({ type: "pending", key: g * GENERATION + i, entry: String(g) });
      }
      return store.write(ops);
    };
    await write(0);
    let writing = true;
    const writer = (async () => {
      for (let g = 1; g <= 40; g++) await write(g);
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      const seen: string[] = [];
      for await (const [, entry] of store.pendingEntries()) seen.push(entry);
      expect(seen, `read ${reads}`).to.have.length(GENERATION);
      expect(new Set(seen).size, `read ${reads}: one generation`).to.equal(1);
      reads++;
    }
    await writer;
    expect(reads).to.be.greaterThan(1);
  });

  it("behavior: a process killed (SIGKILL) while writing leaves whole writes only", async function () {
    this.timeout(60_000);
    await store.close();
    const script = path.join(tmp.dir, "writer.js");
    fs.writeFileSync(
      script,
      `${backend().constructInChild(place)}
(async () => {
  await store.open();
  let g = Number((await store.getMeta("generation")) ?? -1) + 1;
  for (;; g++) {
    const ops = [{ type: "meta", name: "generation", value: g }];
    for (let i = 0; i < ${GENERATION}; i++) {
      if (g > 0) ops.push({ type: "pendingDone", key: (g - 1) * ${GENERATION} + i });
      ops.push({ type: "pending", key: g * ${GENERATION} + i, entry: String(g) + ":" + "x".repeat(200) });
    }
    await store.write(ops);
    process.stdout.write("wrote " + g + "\\n");
  }
})();
`,
    );
    for (let round = 0; round < 3; round++) {
      const writer = spawnChild(process.execPath, [script]);
      await writer.waitForOutput(/wrote \d*[1-9]\d*\n/, 30_000);
      await new Promise((r) => setTimeout(r, 50 + Math.floor(Math.random() * 200)));
      expect((await writer.kill("SIGKILL")).signal).to.equal("SIGKILL");
      const reopened = await backend().open(place);
      try {
        const generation = await reopened.getMeta<number>("generation");
        const seen: string[] = [];
        for await (const [, entry] of reopened.pendingEntries()) seen.push(entry.split(":")[0]!);
        expect(seen, `round ${round}`).to.have.length(GENERATION);
        expect([...new Set(seen)], `round ${round}: the generation the meta names`).to.deep.equal([String(generation)]);
      } finally {
        await reopened.close();
      }
    }
  });
});
