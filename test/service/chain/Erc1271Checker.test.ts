import { expect } from "chai";
import { Interface, makeError, type TransactionRequest } from "ethers";
import { Erc1271Checker, type Erc1271Outcome, type Erc1271Settings } from "../../../service/chain/Erc1271Checker";
import { isApiError } from "../../../service/errors";

const WALLET = "0x" + "11".repeat(20);
const EOA = "0x" + "22".repeat(20);
const YES = "0x1626ba7e" + "00".repeat(28);
const NO = "0xffffffff" + "00".repeat(28);
const ERC1271 = new Interface(["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"]);
const digest = (i: number): string => "0x" + i.toString(16).padStart(64, "0");

/**
 * A provider the test drives: WALLET has code, EOA none; `isValidSignature` answers `answer(signature)` after
 * `delayMs` (a rejected promise for a failure); every call and its gas limit is recorded.
 */
function fakeProvider(answer: (signature: string) => Promise<string> | string, delayMs = 0) {
  const calls: TransactionRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    calls,
    codeReads: 0,
    maxInFlight: () => maxInFlight,
    async getCode(address: string): Promise<string> {
      this.codeReads++;
      return address.toLowerCase() === WALLET ? "0x6080" : "0x";
    },
    async call(tx: TransactionRequest): Promise<string> {
      calls.push(tx);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        await new Promise((r) => setTimeout(r, delayMs));
        return await answer(ERC1271.decodeFunctionData("isValidSignature", String(tx.data))[1] as string);
      } finally {
        inFlight--;
      }
    },
  };
}

const settings = (over: Partial<Erc1271Settings> = {}): Erc1271Settings => ({
  gas: 150_000,
  timeoutMs: 1000,
  cacheTtlMs: 60_000,
  cacheMax: 100,
  concurrency: 4,
  ...over,
});

describe("Erc1271Checker", function () {
  let outcomes: Erc1271Outcome[];
  const count = (o: Erc1271Outcome): number => outcomes.filter((x) => x === o).length;
  beforeEach(function () {
    outcomes = [];
  });
  const checker = (provider: ReturnType<typeof fakeProvider>, over: Partial<Erc1271Settings> = {}) =>
    new Erc1271Checker(provider, settings(over), (o) => outcomes.push(o));

  it("args: every isValidSignature eth_call carries the gas cap", async function () {
    const provider = fakeProvider((s) => (s === "0x01" ? YES : NO));
    const c = checker(provider);
    expect(await c.isValidSignature(WALLET, digest(1), "0x01")).to.equal(true);
    expect(await c.isValidSignature(WALLET, digest(1), "0x02")).to.equal(false);
    expect(provider.calls.map((t) => t.gasLimit)).to.deep.equal([150_000n, 150_000n]);
  });

  it("behavior: an address without code says no without an eth_call", async function () {
    const provider = fakeProvider(() => YES);
    expect(await checker(provider).isValidSignature(EOA, digest(1), "0x01")).to.equal(false);
    expect(provider.calls).to.have.length(0);
  });

  it("behavior: yes and no are cached, code presence too; concurrent asks of one key share one call", async function () {
    const provider = fakeProvider((s) => (s === "0x01" ? YES : NO), 20);
    const c = checker(provider);
    const same = await Promise.all([1, 2, 3].map(() => c.isValidSignature(WALLET, digest(1), "0x01")));
    expect(same).to.deep.equal([true, true, true]);
    expect(await c.isValidSignature(WALLET, digest(1), "0x02")).to.equal(false);
    expect(await c.isValidSignature(WALLET, digest(1), "0x01")).to.equal(true);
    expect(await c.isValidSignature(WALLET, digest(1), "0x02")).to.equal(false);
    expect(provider.calls).to.have.length(2);
    expect(provider.codeReads).to.equal(1);
    expect([count("valid"), count("invalid"), count("cached")]).to.deep.equal([1, 1, 2]);
  });

  it("behavior: answers expire after the TTL, and the cache holds at most cacheMax", async function () {
    const provider = fakeProvider(() => YES);
    const c = checker(provider, { cacheTtlMs: 40, cacheMax: 2 });
    await c.isValidSignature(WALLET, digest(1), "0x01");
    await new Promise((r) => setTimeout(r, 60));
    await c.isValidSignature(WALLET, digest(1), "0x01");
    expect(provider.calls, "expired: asked again").to.have.length(2);
    for (const i of [2, 3]) await c.isValidSignature(WALLET, digest(i), "0x01");
    await c.isValidSignature(WALLET, digest(1), "0x01");
    expect(provider.calls, "evicted: asked again").to.have.length(5);
  });

  it("behavior: at most `concurrency` calls run at once; the others wait their turn", async function () {
    const provider = fakeProvider(() => YES, 10);
    const c = checker(provider, { concurrency: 3 });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => c.isValidSignature(WALLET, digest(i), "0x01")),
    );
    expect(answers.every((a) => a)).to.equal(true);
    expect(provider.maxInFlight()).to.equal(3);
  });

  it("behavior: a revert or running out of gas is a no (cached)", async function () {
    const provider = fakeProvider(() => {
      throw makeError("missing revert data", "CALL_EXCEPTION", {
        action: "call",
        data: null,
        reason: null,
        transaction: { to: WALLET, data: "0x" },
        invocation: null,
        revert: null,
      });
    });
    const c = checker(provider);
    expect(await c.isValidSignature(WALLET, digest(1), "0x01")).to.equal(false);
    expect(await c.isValidSignature(WALLET, digest(1), "0x01")).to.equal(false);
    expect(provider.calls).to.have.length(1);
  });

  it("error: CHAIN_UNAVAILABLE when the RPC fails or is too slow, and that is not cached", async function () {
    let fail = true;
    const provider = fakeProvider(() => {
      if (fail) throw new Error("connect ECONNREFUSED 127.0.0.1:8545");
      return YES;
    });
    const c = checker(provider);
    const err = await c.isValidSignature(WALLET, digest(1), "0x01").catch((e: unknown) => e);
    expect(isApiError(err) && err.code).to.equal("CHAIN_UNAVAILABLE");
    fail = false;
    expect(await c.isValidSignature(WALLET, digest(1), "0x01")).to.equal(true);

    const slow = checker(
      fakeProvider(() => YES, 200),
      { timeoutMs: 30 },
    );
    const late = await slow.isValidSignature(WALLET, digest(2), "0x01").catch((e: unknown) => e);
    expect(isApiError(late) && late.code).to.equal("CHAIN_UNAVAILABLE");
    expect(count("unavailable")).to.equal(2);
  });
});
