import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { TypedDataEncoder, Wallet } from "ethers";
import {
  disclosureHash,
  domainSeparator,
  formatShare,
  fromHex,
  MAX_SHARE_CHARS,
  parseShare,
  receiptDomain,
  recoverAddress,
  SHARE_TYPES,
  shareDigest,
  signDigest,
  toHex,
  ZERO_ADDRESS,
  type Share,
} from "@repayproof/verifier";
import { main as runCli } from "@repayproof/verifier/cli";
import { makeParties, boundId, randomId, termsOf } from "../helpers/parties";
import { startRouteFixture, type RouteFixture } from "../helpers/routeFixture";

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const io = { out: (l: string) => (out += l + "\n"), err: (l: string) => (out += l + "\n"), env: {} };
  return { code: await runCli(args, io), out };
}

const ANCHOR = "0x" + "ab".repeat(20);
const SEP = domainSeparator(receiptDomain(31337, ANCHOR));

function signed(key: { privateKey: string; address: string }, over: Partial<Share> = {}): Share {
  const fields = {
    agreementId: randomId(),
    loanId: randomId(),
    grantee: ZERO_ADDRESS,
    expiresAt: 1_900_000_000,
    ...over,
  };
  const signature = signDigest(fromHex(key.privateKey), shareDigest(SEP, fields));
  return { ...fields, signer: key.address, signature };
}

describe("share grants (format)", function () {
  const key = new Wallet(randomId());

  it("args: the Share digest is ethers' EIP-712 hash of Share(agreementId, loanId, grantee, expiresAt)", function () {
    const s = signed(key, { grantee: Wallet.createRandom().address });
    const fields = { agreementId: s.agreementId, loanId: s.loanId, grantee: s.grantee, expiresAt: s.expiresAt };
    expect(toHex(shareDigest(SEP, fields))).to.equal(
      TypedDataEncoder.hash(receiptDomain(31337, ANCHOR), SHARE_TYPES, fields),
    );
    expect(recoverAddress(shareDigest(SEP, fields), s.signature)).to.equal(key.address);
  });

  it("behavior: the string form round-trips, and fits in a link", function () {
    const s = signed(key);
    const text = formatShare(s);
    expect(text.length).to.be.below(MAX_SHARE_CHARS);
    expect(encodeURIComponent(text)).to.equal(text);
    expect(parseShare(text)).to.deep.equal({ ...s, grantee: ZERO_ADDRESS });
  });

  for (const [what, mangle] of [
    ["over 1 KB", (t: string) => t + "0".repeat(MAX_SHARE_CHARS)],
    ["a missing part", (t: string) => t.split(".").slice(1).join(".")],
    ["upper-case ids", (t: string) => t.replace(/^0x[0-9a-f]{4}/, "0xABCD")],
    ["a zero expiry", (t: string) => t.replace(/\.1900000000\./, ".0.")],
    ["a leading zero in the expiry", (t: string) => t.replace(/\.1900000000\./, ".01900000000.")],
    ["a short signature", (t: string) => t.slice(0, -4)],
    ["a non-hex signature", (t: string) => t.slice(0, -2) + "zz"],
    ["a non-string", () => 42 as unknown as string],
  ] as const) {
    it(`error: INVALID_FIELD (share) for ${what}`, function () {
      expect(() => parseShare(mangle(formatShare(signed(key)))))
        .to.throw()
        .with.property("field", "share");
    });
  }

  it("args: the disclosure hash is keccak-256 of the exact bytes", function () {
    expect(disclosureHash(Buffer.from(""))).to.equal(
      "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
    );
    expect(disclosureHash(Buffer.from("a\n"))).to.not.equal(disclosureHash(Buffer.from("a\r\n")));
  });
});

describe("repayproof share and repayproof disclosure", function () {
  this.timeout(120_000);
  let f: RouteFixture;
  let dir: string;
  const p = makeParties();
  const agreementId = boundId(p);
  const document = Buffer.from("借款人须知 / Borrower notice: the lender is Funder A; pay through channel 1 only.\n");

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-share-"));
    f = await startRouteFixture();
    await f.register(p, agreementId, 1, { ...termsOf(p), disclosureHash: disclosureHash(document) });
    fs.writeFileSync(path.join(dir, "key"), p.funder.privateKey + "\n");
    fs.writeFileSync(path.join(dir, "notice.txt"), document);
    fs.writeFileSync(path.join(dir, "other.txt"), Buffer.concat([document, Buffer.from(" ")]));
  });

  after(async function () {
    await f?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("behavior: share prints a link whose share the funder signed for this loan, with the service's domain", async function () {
    const loanId = randomId();
    const r = await cli([
      "share",
      "--key-file",
      path.join(dir, "key"),
      "--agreement",
      agreementId,
      "--loan",
      loanId,
      "--days",
      "30",
      "--url",
      f.svc.url,
    ]);
    expect(r.code, r.out).to.equal(0);
    const link = r.out.split("\n")[0] as string;
    expect(link.startsWith(`${f.svc.url}/loan/${loanId}?share=`)).to.equal(true);
    const s = parseShare(new URL(link).searchParams.get("share"));
    expect(s).to.include({ agreementId, loanId, grantee: ZERO_ADDRESS, signer: p.funder.address });
    expect(s.expiresAt - Math.floor(Date.now() / 1000)).to.be.within(30 * 86400 - 60, 30 * 86400);
    const sep = domainSeparator(receiptDomain(f.d.chainId, f.d.anchor));
    expect(recoverAddress(shareDigest(sep, s), s.signature)).to.equal(p.funder.address);
  });

  it("behavior: share signs offline with --chain-id and --anchor, from an encrypted keystore", async function () {
    fs.writeFileSync(path.join(dir, "keystore.json"), p.platform.encryptSync("pw"));
    fs.writeFileSync(path.join(dir, "pw"), "pw\n");
    const grantee = p.regulator.address;
    const r = await cli([
      "share",
      "--key-file",
      path.join(dir, "keystore.json"),
      "--password-file",
      path.join(dir, "pw"),
      "--agreement",
      agreementId,
      "--loan",
      randomId(),
      "--days",
      "1",
      "--grantee",
      grantee,
      "--chain-id",
      "31337",
      "--anchor",
      ANCHOR,
      "--url",
      "https://repayproof.example",
      "--json",
    ]);
    expect(r.code, r.out).to.equal(0);
    const out = JSON.parse(r.out) as { share: string };
    const s = parseShare(out.share);
    expect(s.grantee).to.equal(grantee);
    expect(recoverAddress(shareDigest(SEP, s), s.signature)).to.equal(p.platform.address);
  });

  it("error: share exits 2 for more than 90 days, a missing key file, or a keystore without its password", async function () {
    const base = ["share", "--agreement", agreementId, "--loan", randomId(), "--chain-id", "1", "--anchor", ANCHOR];
    expect((await cli([...base, "--key-file", path.join(dir, "key"), "--days", "91"])).code).to.equal(2);
    expect((await cli([...base, "--key-file", path.join(dir, "none"), "--days", "1"])).code).to.equal(2);
    expect((await cli([...base, "--key-file", path.join(dir, "keystore.json"), "--days", "1"])).code).to.equal(2);
    expect((await cli([...base, "--days", "1"])).code).to.equal(2);
  });

  it("behavior: disclosure says the document is the one all parties signed, under version 1; exit 0", async function () {
    const r = await cli([
      "disclosure",
      path.join(dir, "notice.txt"),
      "--agreement",
      agreementId,
      "--registry",
      f.d.registry,
      "--rpc",
      f.node.url,
    ]);
    expect(r.code, r.out).to.equal(0);
    expect(r.out).to.contain("version 1");
    expect(r.out).to.contain(p.funder.address);
  });

  it("error: disclosure exits 1 for a document one byte off, 2 without the registry", async function () {
    const r = await cli([
      "disclosure",
      path.join(dir, "other.txt"),
      "--agreement",
      agreementId,
      "--registry",
      f.d.registry,
      "--rpc",
      f.node.url,
    ]);
    expect(r.code, r.out).to.equal(1);
    expect(r.out).to.contain("is not the disclosure");
    expect(
      (await cli(["disclosure", path.join(dir, "notice.txt"), "--agreement", agreementId, "--rpc", f.node.url])).code,
    ).to.equal(2);
  });
});
