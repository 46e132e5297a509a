import { expect } from "chai";
import { JsonRpcProvider, type Wallet } from "ethers";
import request from "supertest";
import {
  accessDigest,
  domainSeparator,
  KIND,
  receiptDigest,
  receiptDomain,
  receiptToJson,
  verifyReceiptBundle,
  type Receipt,
} from "@repayproof/verifier";
import type { RunningService } from "../../../service/server";
import type { Deployment } from "../../../scripts/lib/deployContracts";
import { deployOn, startHardhatNode, type HardhatNode } from "../../../scripts/devnet";
import { deployWallet, randomOwner, walletParty, type WalletParty } from "../../helpers/contractWallets";
import { startInProcess, testConfig } from "../../helpers/inProcess";
import { agreementBody, bearer, makeParties, makeReceipt, boundId, termsOf, type Parties } from "../../helpers/parties";
import { startTcpProxy, type TcpProxy } from "../../helpers/tcpProxy";
import { tempDir } from "../../helpers/tempDir";
import { waitFor } from "../../helpers/waitFor";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read field by field
type Json = any;

/**
 * Receipts signed by contract-wallet parties (ERC-1271), through the real service over HTTP on a real Hardhat
 * node (reached through a proxy the test can cut): a 2-of-2 multisig collector (130-byte signatures), a
 * one-owner wallet funder (65-byte signatures by a key that is not the funder's address) and a gas-burning
 * channel.
 */
describe("receipts from contract wallets (ERC-1271)", function () {
  this.timeout(180_000);
  let node: HardhatNode;
  let proxy: TcpProxy;
  let svc: RunningService;
  let d: Deployment;
  let tmp: ReturnType<typeof tempDir>;
  let p: Parties;
  let collector: WalletParty;
  let funder: WalletParty;
  let burner: string;
  let sep: string;
  let agreementId: string;

  before(async function () {
    node = await startHardhatNode();
    tmp = tempDir();
    d = await deployOn(node.url);
    sep = domainSeparator(receiptDomain(d.chainId, d.anchor));
    const owners = [randomOwner(), randomOwner()];
    collector = walletParty(await deployWallet(node.url, "MultisigWallet", [owners.map((o) => o.address)]), owners);
    const funderOwner = randomOwner();
    funder = walletParty(await deployWallet(node.url, "ERC1271Wallet", [funderOwner.address]), [funderOwner]);
    burner = await deployWallet(node.url, "GasBurnerWallet");
    proxy = await startTcpProxy(node.port);
    p = makeParties();
    const over = { batchIntervalMs: 200, regulators: [p.regulator.address.toLowerCase()] };
    svc = await startInProcess(testConfig(`http://127.0.0.1:${proxy.port}`, d, tmp.dir, over));
    const parties = { ...p, collector, funder } as unknown as Parties;
    agreementId = boundId(parties);
    const terms = { ...termsOf(p), collector: collector.address, funder: funder.address, channels: [burner] };
    const res = await request(svc.url)
      .post("/v1/agreements")
      .set("authorization", bearer(d, p.platform))
      .send(await agreementBody(d, parties, agreementId, 1, terms));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  });

  after(async function () {
    await svc?.close();
    await proxy?.close();
    await node?.stop();
    tmp?.remove();
  });

  const receipt = (attester: string, kind: number): Receipt =>
    makeReceipt(agreementId, { address: attester } as Wallet, kind);
  const item = (r: Receipt, signature: string) => ({ receipt: receiptToJson(r), signature });
  const signed = (party: WalletParty, kind: number) => {
    const r = receipt(party.address, kind);
    return { item: item(r, party.sign(receiptDigest(r, sep))), digest: receiptDigest(r, sep) };
  };
  const post = (body: unknown) =>
    request(svc.url).post("/v1/receipts").set("content-type", "application/json").send(JSON.stringify(body));
  /** The funder wallet's access token: its owner's signature of Access(funder, expiresAt). */
  const funderToken = (ttl = 3600): string => {
    const expiresAt = Math.floor(Date.now() / 1000) + ttl;
    return `Bearer ${funder.address}.${expiresAt}.${funder.sign(accessDigest(sep, funder.address, expiresAt))}`;
  };
  const stored = async (digest: string): Promise<number> =>
    (await request(svc.url).get(`/v1/receipts/${digest}`).set("authorization", bearer(d, p.regulator))).status;
  /** `repayproof_erc1271_checks_total` by outcome, from GET /metrics. */
  type Outcomes = Record<"valid" | "invalid" | "cached" | "unavailable", number>;
  const checks = async (): Promise<Outcomes> => {
    const text = (await request(svc.url).get("/metrics")).text;
    const out: Outcomes = { valid: 0, invalid: 0, cached: 0, unavailable: 0 };
    for (const m of text.matchAll(/^repayproof_erc1271_checks_total\{outcome="(\w+)"\} (\d+)$/gm)) {
      out[m[1] as keyof Outcomes] = Number(m[2]);
    }
    return out;
  };

  it("behavior: a multisig collector's receipt is acked, anchored, and its bundle verifies with the verifier", async function () {
    const s = signed(collector, KIND.FORWARDED);
    expect((s.item.signature.length - 2) / 2, "a 2-of-2 signature is 130 bytes").to.equal(130);
    const res = await post(s.item);
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    expect(res.body.digest).to.equal(s.digest);
    expect(res.body.ack.signature).to.match(/^0x[0-9a-f]{130}$/);
    let bundle: Json;
    await waitFor("the proof bundle", async () => {
      const r = await request(svc.url).get(`/v1/receipts/${s.digest}/proof`).set("authorization", funderToken());
      bundle = r.body;
      return r.status === 200;
    });
    expect(bundle.signature).to.equal(s.item.signature.toLowerCase());
    const provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    try {
      const v = await verifyReceiptBundle(bundle, { provider, contracts: { anchor: d.anchor, registry: d.registry } });
      expect(v.checks.map((c) => `${c.check}:${c.status}`)).to.deep.equal(
        ["FORMAT", "CHAIN", "DIGEST", "SIGNATURE", "ROLE", "INCLUSION", "ANCHOR", "FINALITY", "ACK"].map(
          (c) => `${c}:pass`,
        ),
      );
    } finally {
      provider.destroy();
    }
  });

  it("behavior: wallet and key receipts in one request share the batch Ack, and each is stored", async function () {
    const a = signed(funder, KIND.CONFIRMED);
    const b = signed(collector, KIND.FORWARDED);
    const r = makeReceipt(agreementId, p.platform, KIND.DUE);
    const c = { item: item(r, walletParty(p.platform.address, [p.platform]).sign(receiptDigest(r, sep))) };
    const res = await post({ items: [a.item, b.item, c.item] });
    expect(res.status).to.equal(202);
    const results = res.body.results as Json[];
    expect(results.map((x) => x.error)).to.deep.equal([undefined, undefined, undefined]);
    expect(new Set(results.map((x) => x.ack.root)).size, "one AckBatch root").to.equal(1);
    expect(await stored(a.digest)).to.equal(200);
    expect(await stored(b.digest)).to.equal(200);
  });

  it("error: BAD_SIGNATURE when the wallet refuses, and nothing is stored", async function () {
    const r = receipt(collector.address, KIND.FORWARDED);
    const digest = receiptDigest(r, sep);
    const wrongOwners = walletParty(collector.address, [collector.owners[0]!, randomOwner()]);
    const res = await post(item(r, wrongOwners.sign(digest)));
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal("BAD_SIGNATURE");
    expect(await stored(digest)).to.equal(404);
    const ok = await post(item(r, collector.sign(digest)));
    expect(ok.status, "its nonce was not taken").to.equal(202);
  });

  it("error: a gas-burning wallet is refused with BAD_SIGNATURE within SIG_CHECK_GAS, and the service still answers", async function () {
    const was = await checks();
    const r = receipt(burner, KIND.SETTLED);
    const started = Date.now();
    const res = await post(item(r, funder.sign(receiptDigest(r, sep))));
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal("BAD_SIGNATURE");
    expect(Date.now() - started, "well within SIG_CHECK_TIMEOUT_MS").to.be.below(svc.deps.config.sigCheck.timeoutMs);
    expect((await checks()).invalid).to.equal(was.invalid + 1);
    expect(await stored(receiptDigest(r, sep))).to.equal(404);
    expect((await request(svc.url).get("/healthz")).status).to.equal(200);
    const next = signed(funder, KIND.CONFIRMED);
    expect((await post(next.item)).status).to.equal(202);
  });

  it("behavior: a repeated check is answered from the cache (no second eth_call)", async function () {
    const r = receipt(burner, KIND.SETTLED);
    const body = item(r, funder.sign(receiptDigest(r, sep)));
    expect((await post(body)).body.error.code).to.equal("BAD_SIGNATURE");
    const was = await checks();
    expect((await post(body)).body.error.code).to.equal("BAD_SIGNATURE");
    const now = await checks();
    expect(now.cached).to.equal(was.cached + 1);
    expect(now.valid + now.invalid, "no eth_call").to.equal(was.valid + was.invalid);
    // A wallet's token too: its second use asks nothing of the chain.
    const token = funderToken();
    expect((await request(svc.url).get(`/v1/agreements/${agreementId}`).set("authorization", token)).status).to.equal(
      200,
    );
    const t1 = await checks();
    expect((await request(svc.url).get(`/v1/agreements/${agreementId}`).set("authorization", token)).status).to.equal(
      200,
    );
    const t2 = await checks();
    expect([t2.cached - t1.cached, t2.valid - t1.valid]).to.deep.equal([1, 0]);
  });

  it("error: 503 CHAIN_UNAVAILABLE with Retry-After when the chain cannot be asked, and nothing is stored", async function () {
    const s = signed(funder, KIND.CONFIRMED);
    await proxy.cut();
    let res;
    try {
      res = await post(s.item);
    } finally {
      await proxy.restore();
    }
    expect(res.status, JSON.stringify(res.body)).to.equal(503);
    expect(res.body.error.code).to.equal("CHAIN_UNAVAILABLE");
    expect(Number(res.headers["retry-after"])).to.be.greaterThan(0);
    expect(await stored(s.digest)).to.equal(404);
    const again = await post(s.item);
    expect(again.status, "accepted once the chain answers").to.equal(202);
  });
});
