import { expect } from "chai";
import { ContractFactory, JsonRpcProvider, Wallet, type InterfaceAbi } from "ethers";
import fs from "node:fs";
import path from "node:path";
import request from "supertest";
import {
  accessDigest,
  domainSeparator,
  formatShare,
  fromHex,
  KIND,
  receiptDomain,
  shareDigest,
  signDigest,
  ZERO_ADDRESS,
  type Share,
} from "@repayproof/verifier";
import { HARDHAT_KEY_0, projectRoot } from "../../../service/config";
import { bearer, makeParties, makeReceipt, boundId, randomId, signReceipt, termsOf } from "../../helpers/parties";
import { startRouteFixture, type RouteFixture } from "../../helpers/routeFixture";
import { waitFor } from "../../helpers/waitFor";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read field by field
type Json = any;

const DAY = 86_400;
const now = (): number => Math.floor(Date.now() / 1000);

describe("share grants: one loan of one agreement, for someone with no key of it", function () {
  this.timeout(180_000);
  let f: RouteFixture;
  const p = makeParties();
  const q = makeParties();
  let sep: string;
  const agreementA = boundId(p);
  const agreementB = boundId(q);
  const loan = randomId();
  const otherLoan = randomId();
  const digests: Record<string, string> = {};

  /** A share signed with `key` (as `signer`, by default the key's own address), over this deployment's domain. */
  function share(key: { privateKey: string; address: string }, over: Partial<Share> = {}, domain = sep): string {
    const fields = {
      agreementId: agreementA,
      loanId: loan,
      grantee: ZERO_ADDRESS,
      expiresAt: now() + 30 * DAY,
      ...over,
    };
    const signature = signDigest(fromHex(key.privateKey), shareDigest(domain, fields));
    return formatShare({ ...fields, signer: over.signer ?? key.address, signature });
  }
  const timeline = (
    s: string | undefined,
    id = loan,
    how: "query" | "header" = "query",
    extra: Record<string, string> = {},
  ) => {
    const url = `/v1/loans/${id}/timeline` + (s !== undefined && how === "query" ? `?share=${s}` : "");
    const req = request(f.app).get(url);
    if (s !== undefined && how === "header") req.set("authorization", `Share ${s}`);
    for (const [k, v] of Object.entries(extra)) req.set(k, v);
    return req;
  };

  before(async function () {
    f = await startRouteFixture({ batchIntervalMs: 3_600_000, regulators: [p.regulator.address.toLowerCase()] });
    sep = domainSeparator(receiptDomain(f.d.chainId, f.d.anchor));
    await f.register(p, agreementA);
    await f.register(q, agreementB);
    const items = {
      due: signReceipt(f.d, makeReceipt(agreementA, p.platform, KIND.DUE, { loanId: loan }), p.platform),
      settled: signReceipt(f.d, makeReceipt(agreementA, p.channel, KIND.SETTLED, { loanId: loan }), p.channel),
      other: signReceipt(f.d, makeReceipt(agreementA, p.platform, KIND.DUE, { loanId: otherLoan }), p.platform),
      reused: signReceipt(f.d, makeReceipt(agreementB, q.platform, KIND.DUE, { loanId: loan }), q.platform),
    };
    expect((await f.post({ items: Object.values(items).map((s) => s.item) })).status).to.equal(202);
    for (const [k, v] of Object.entries(items)) digests[k] = v.digest;
    await f.svc.pipeline.batcher.seal();
    await waitFor("anchored", async () => {
      const r = await request(f.app).get(`/v1/receipts/${digests.due}`).set("authorization", bearer(f.d, p.funder));
      return r.body.status === "anchored" || r.body.status === "final";
    });
  });

  after(async function () {
    await f?.close();
  });

  it("behavior: a bearer share reads its loan's timeline (in the link or the header), receipts and proofs", async function () {
    const s = share(p.platform);
    for (const how of ["query", "header"] as const) {
      const res = await timeline(s, loan, how);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.agreement.id).to.equal(agreementA);
      expect(res.body.events.map((e: Json) => e.digest).sort()).to.deep.equal([digests.due, digests.settled].sort());
    }
    const r = await request(f.app).get(`/v1/receipts/${digests.settled}?share=${s}`);
    expect(r.status).to.equal(200);
    const proof = await request(f.app).get(`/v1/receipts/${digests.settled}/proof`).set("authorization", `Share ${s}`);
    expect(proof.status).to.equal(200);
    expect(proof.body.format).to.equal("repayproof/receipt-proof@1");
  });

  it("error: FORBIDDEN (403) for another loan of the agreement, the same loan id under another agreement, and everything agreement-wide", async function () {
    const s = share(p.funder);
    expect((await timeline(s, otherLoan)).status).to.equal(403);
    expect(
      (await request(f.app).get(`/v1/loans/${loan}/timeline?share=${s}&agreementId=${agreementB}`)).status,
    ).to.equal(403);
    for (const d of [digests.other, digests.reused]) {
      const r = await request(f.app).get(`/v1/receipts/${d}/proof?share=${s}`);
      expect(r.status, d).to.equal(403);
      expect(r.body.error.code).to.equal("FORBIDDEN");
    }
    for (const url of [
      `/v1/alerts?share=${s}`,
      `/v1/reconciliation?agreementId=${agreementA}&share=${s}`,
      `/v1/events?share=${s}`,
      `/v1/agreements/${agreementA}?share=${s}`,
    ]) {
      const r = await request(f.app).get(url);
      expect(r.status, url).to.equal(403);
      expect(r.body.error.code).to.equal("FORBIDDEN");
    }
  });

  for (const [what, reason, make] of [
    ["an expired share", "expired", () => share(p.funder, { expiresAt: now() - 1 })],
    ["a share longer than 90 days", "lifetime", () => share(p.funder, { expiresAt: now() + 91 * DAY })],
    ["a forged share (signed by another key)", "signature", () => share(p.outsider, { signer: p.funder.address })],
    [
      "a share for another chain",
      "signature",
      () => share(p.funder, {}, domainSeparator(receiptDomain(1, f.d.anchor))),
    ],
    [
      "a share for another deployment",
      "signature",
      () => share(p.funder, {}, domainSeparator(receiptDomain(f.d.chainId, f.d.registry))),
    ],
    ["a share signed by a stranger to the agreement", "signer", () => share(q.funder)],
    ["a share over 1 KB", "malformed", () => share(p.funder) + "0".repeat(1100)],
    ["a malformed share", "malformed", () => "0xnot.a.share"],
  ] as const) {
    it(`error: UNAUTHENTICATED (401, reason ${reason}) for ${what}`, async function () {
      const res = await timeline(make());
      expect(res.status, JSON.stringify(res.body)).to.equal(401);
      expect(res.body.error.code).to.equal("UNAUTHENTICATED");
      expect(res.body.error.details.reason).to.equal(reason);
    });
  }

  it("behavior: a regulator may sign a share too", async function () {
    expect((await timeline(share(p.regulator))).status).to.equal(200);
  });

  it("behavior: a share naming its grantee (an arbitrator) works only with the arbitrator's own token", async function () {
    const arbitrator = new Wallet(randomId());
    const s = share(p.funder, { grantee: arbitrator.address });
    const without = await timeline(s);
    expect(without.status).to.equal(401);
    expect(without.body.error.details.reason).to.equal("grantee");
    const other = await timeline(s, loan, "query", { "x-repayproof-access": bearer(f.d, p.outsider) });
    expect(other.status).to.equal(401);
    const own = await timeline(s, loan, "query", { "x-repayproof-access": bearer(f.d, arbitrator) });
    expect(own.status, JSON.stringify(own.body)).to.equal(200);
  });

  it("behavior: POST /v1/shares gives a signer's share back as its link; another party's token is FORBIDDEN", async function () {
    const s = share(p.funder);
    const ok = await request(f.app).post("/v1/shares").set("authorization", bearer(f.d, p.funder)).send({ share: s });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
    expect(ok.body.link).to.match(new RegExp(`/loan/${loan}\\?share=${s.replace(/\./g, "\\.")}$`));
    const other = await request(f.app)
      .post("/v1/shares")
      .set("authorization", bearer(f.d, p.platform))
      .send({ share: s });
    expect(other.status).to.equal(403);
    const bad = await request(f.app)
      .post("/v1/shares")
      .set("authorization", bearer(f.d, p.funder))
      .send({ share: s, x: 1 });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.code).to.equal("INVALID_BODY");
  });

  it("behavior: its signer revokes a share; the link is refused from then on, after a restart too; anyone else gets 403", async function () {
    const s = share(p.collector);
    expect((await timeline(s)).status).to.equal(200);
    const other = await request(f.app)
      .post("/v1/shares/revoke")
      .set("authorization", bearer(f.d, p.funder))
      .send({ share: s });
    expect(other.status).to.equal(403);
    expect((await timeline(s)).status, "a refused revocation changes nothing").to.equal(200);
    const revoke = await request(f.app)
      .post("/v1/shares/revoke")
      .set("authorization", bearer(f.d, p.collector))
      .send({ share: s });
    expect(revoke.status, JSON.stringify(revoke.body)).to.equal(200);
    const refused = await timeline(s);
    expect(refused.status).to.equal(401);
    expect(refused.body.error.details.reason).to.equal("revoked");
    await f.restart();
    expect((await timeline(s)).body.error.details.reason).to.equal("revoked");
    expect(
      (await timeline(share(p.collector, { expiresAt: now() + 29 * DAY }))).status,
      "another share still works",
    ).to.equal(200);
  });

  it("behavior: a contract-wallet party (ERC-1271) reads with its token and signs shares", async function () {
    const owner = new Wallet(randomId());
    const artifact = JSON.parse(
      fs.readFileSync(
        path.join(projectRoot(), "artifacts/contracts/test/ERC1271Wallet.sol/ERC1271Wallet.json"),
        "utf8",
      ),
    ) as { abi: InterfaceAbi; bytecode: string };
    const provider = new JsonRpcProvider(f.node.url, undefined, { cacheTimeout: -1 });
    let wallet: string;
    try {
      const c = await new ContractFactory(artifact.abi, artifact.bytecode, new Wallet(HARDHAT_KEY_0, provider)).deploy(
        owner.address,
      );
      await c.waitForDeployment();
      wallet = await c.getAddress();
    } finally {
      provider.destroy();
    }
    const r = makeParties();
    const funderWallet = {
      ...r.funder,
      address: wallet,
      privateKey: owner.privateKey,
      signTypedData: owner.signTypedData.bind(owner),
    };
    const agreementId = boundId({ platform: r.platform, funder: funderWallet });
    await f.register({ ...r, funder: funderWallet as unknown as Wallet }, agreementId, 1, {
      ...termsOf(r),
      funder: wallet,
    });
    const expiresAt = now() + 3600;
    const token = `Bearer ${wallet}.${expiresAt}.${signDigest(fromHex(owner.privateKey), accessDigest(sep, wallet, expiresAt))}`;
    const agreement = await request(f.app).get(`/v1/agreements/${agreementId}`).set("authorization", token);
    expect(agreement.status, JSON.stringify(agreement.body)).to.equal(200);
    const s = share({ privateKey: owner.privateKey, address: wallet }, { agreementId, loanId: randomId() });
    const res = await request(f.app).post("/v1/shares").set("authorization", token).send({ share: s });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  });
});
