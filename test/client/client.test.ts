import { expect } from "chai";
import { Wallet, hexlify, randomBytes } from "ethers";
import { privateKeyToAccount } from "viem/accounts";
import { RepayProofClient, RepayProofError, SubmitError, type ReceiptInput, type ViemAccount } from "../../client/src";
import { boundId, makeParties, type Parties } from "../helpers/parties";
import { metric } from "../helpers/receiptFlow";
import { startSpawnFixture, type SpawnFixture } from "../helpers/spawnFixture";
import { startTcpProxy } from "../helpers/tcpProxy";

/** The error `p` rejects with (fails when it resolves). */
async function refusal(p: Promise<unknown>): Promise<RepayProofError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(RepayProofError);
    return e as RepayProofError;
  }
  throw new Error("expected a refusal");
}

let nonce = BigInt(Date.now()) * 1000n;

describe("client: RepayProofClient against a running service (real node, real signatures)", function () {
  this.timeout(180_000);
  let f: SpawnFixture;
  let p: Parties;
  let agreementId: string;
  const loanId = hexlify(randomBytes(32));
  const client = (signer: Wallet | undefined, extra: Record<string, unknown> = {}): RepayProofClient =>
    new RepayProofClient({ url: f.url, rpcUrl: f.node.url, contracts: f.d, ...(signer ? { signer } : {}), ...extra });
  const receipt = (kind: ReceiptInput["kind"], over: Partial<ReceiptInput> = {}): ReceiptInput => ({
    agreementId,
    loanId,
    installment: 1,
    kind,
    amount: 125000n,
    channel: kind === "DUE" ? 0 : 2,
    occurredAt: Math.floor(Date.now() / 1000) - 30,
    nonce: nonce++,
    ...over,
  });

  before(async function () {
    f = await startSpawnFixture({ env: { BATCH_INTERVAL_MS: "300" } });
    p = makeParties();
    agreementId = boundId(p);
    await f.register(p, agreementId);
  });

  after(async function () {
    await f?.close();
  });

  it("behavior: submit → Ack checked; proof() and timeline() verified against the chain; share() opens the loan", async function () {
    const platform = client(p.platform);
    const [due] = await platform.submit([receipt("DUE")]);
    const [settled] = await client(p.channel).submit([receipt("SETTLED")]);
    expect(due!.ok && settled!.ok).to.equal(true);
    const funder = client(p.funder);
    const { result } = await funder.proof(settled!.digest, { waitMs: 30_000 });
    expect(result.valid).to.equal(true);
    const tl = await funder.timeline(loanId);
    expect(tl.result.valid).to.equal(true);
    expect(tl.result.events).to.have.length(2);
    const link = await platform.share({ agreementId, loanId, days: 7 });
    expect(link.link).to.contain(`/loan/${loanId}?share=`);
    const reader = client(undefined, { share: link.share });
    expect((await reader.timeline(loanId)).result.valid).to.equal(true);
    const otherLoan = hexlify(randomBytes(32));
    await platform.submit([receipt("DUE", { loanId: otherLoan })]);
    expect((await refusal(reader.timeline(otherLoan))).code).to.equal("FORBIDDEN");
    for (const c of [platform, funder, reader]) c.close();
  });

  it("behavior: a viem account signs receipts, tokens and shares like an ethers Signer (same signatures)", async function () {
    const account = privateKeyToAccount(p.platform.privateKey as `0x${string}`) as unknown as ViemAccount;
    const viaViem = client(undefined, { signer: account });
    const viaEthers = client(p.platform);
    const r = receipt("DUE");
    const [a] = await viaViem.sign([r]);
    const [b] = await viaEthers.sign([r]);
    expect(a).to.deep.equal(b);
    const [accepted] = await viaViem.submit([receipt("DUE")]);
    expect(accepted!.ok).to.equal(true);
    expect((await viaViem.timeline(loanId)).result.valid).to.equal(true);
    expect((await viaViem.share({ agreementId, loanId, days: 1 })).signer).to.equal(p.platform.address);
    viaViem.close();
  });

  it("error: refusals carry the service's code: NOT_AUTHORIZED_FOR_KIND, UNKNOWN_AGREEMENT, NONCE_CONFLICT (partial or thrown)", async function () {
    const outsider = client(p.outsider);
    const e = await refusal(outsider.submit([receipt("DUE")]));
    expect(e).to.be.instanceOf(SubmitError);
    expect(e.code).to.equal("NOT_AUTHORIZED_FOR_KIND");
    const platform = client(p.platform);
    const unknown = await refusal(platform.submit([receipt("DUE", { agreementId: hexlify(randomBytes(32)) })]));
    expect(unknown.code).to.equal("UNKNOWN_AGREEMENT");
    const first = receipt("DUE");
    const results = await platform.submit([first, { ...first, amount: 1n }, receipt("DUE")], { partial: true });
    expect(results.map((r) => r.ok)).to.deep.equal([true, false, true]);
    const refused = results[1]!;
    expect(!refused.ok && refused.error.code).to.equal("NONCE_CONFLICT");
  });

  it("error: a malformed receipt is refused locally (INVALID_RECEIPT) and nothing is sent", async function () {
    const before = await metric(f, "repayproof_receipts_refused_total");
    const e = await refusal(client(p.platform).submit([receipt("DUE"), receipt("DUE", { installment: -1 })]));
    expect(e.code).to.equal("INVALID_RECEIPT");
    expect(await metric(f, "repayproof_receipts_refused_total")).to.equal(before);
  });

  it("error: an Ack not signed by the pinned operator is BAD_ACK; reads: NOT_FOUND, FORBIDDEN, UNAUTHENTICATED", async function () {
    const pinned = client(p.platform, { operator: Wallet.createRandom().address });
    expect((await refusal(pinned.submit([receipt("DUE")]))).code).to.equal("BAD_ACK");
    const funder = client(p.funder);
    const nf = await refusal(funder.proof(hexlify(randomBytes(32))));
    expect([nf.code, nf.status]).to.deep.equal(["NOT_FOUND", 404]);
    const forbidden = await refusal(client(p.outsider).timeline(loanId, { agreementId }));
    expect(forbidden.status).to.equal(403);
    const bogus = client(undefined, { share: "not-a-share" });
    expect((await refusal(bogus.timeline(loanId))).code).to.equal("UNAUTHENTICATED");
  });

  it("behavior: events() hears a receipt, and resumes after it with Last-Event-ID", async function () {
    const funder = client(p.funder);
    const stop = new AbortController();
    const heard: { id?: number; digest?: unknown }[] = [];
    const listening = (async () => {
      for await (const ev of funder.events({ types: ["receipt.accepted"], signal: stop.signal })) {
        heard.push({ id: ev.id, digest: ev.data.digest });
        if (heard.length === 2) stop.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 500));
    const sent = await client(p.platform).submit([receipt("DUE"), receipt("DUE")], { itemsPerRequest: 1 });
    await listening;
    expect(heard.map((h) => h.digest)).to.have.members(sent.map((s) => s.digest));
    const again = funder.events({ types: ["receipt.accepted"], lastEventId: heard[0]!.id! });
    const next = await again.next();
    expect(next.value?.id).to.equal(heard[1]!.id);
    await again.return(undefined);
  });

  it("behavior: a network error is retried with the same receipts: the outage is ridden out, nothing is stored twice", async function () {
    const proxy = await startTcpProxy(Number(new URL(f.url).port));
    try {
      const platform = client(p.platform, { url: `http://127.0.0.1:${proxy.port}`, retry: { baseDelayMs: 200 } });
      await platform.info();
      await proxy.cut();
      const before = await metric(f, "repayproof_receipts_accepted_total");
      const sending = platform.submit([receipt("DUE"), receipt("DUE")]);
      await new Promise((r) => setTimeout(r, 700));
      await proxy.restore();
      expect((await sending).every((r) => r.ok)).to.equal(true);
      expect((await metric(f, "repayproof_receipts_accepted_total")) - before).to.equal(2);
      await proxy.cut();
      const offline = client(p.platform, {
        url: `http://127.0.0.1:${proxy.port}`,
        retry: { retries: 1, baseDelayMs: 10 },
      });
      expect((await refusal(offline.submit([receipt("DUE")]))).code).to.equal("NETWORK");
    } finally {
      await proxy.close();
    }
  });

  it("behavior: 429 with Retry-After is retried (bounded); without retries the code is RATE_LIMITED", async function () {
    await f.stop();
    await f.start({ RATE_LIMIT_RPS: "1" });
    const platform = client(p.platform);
    const started = Date.now();
    for (let i = 0; i < 4; i++) expect((await platform.submit([receipt("DUE")]))[0]!.ok).to.equal(true);
    expect(Date.now() - started, "waited for Retry-After").to.be.greaterThan(500);
    const impatient = client(p.platform, { retry: { retries: 0 } });
    const codes = new Set<string>();
    for (let i = 0; i < 4; i++)
      await impatient.submit([receipt("DUE")]).catch((e: RepayProofError) => codes.add(e.code));
    expect([...codes]).to.deep.equal(["RATE_LIMITED"]);
  });
});
