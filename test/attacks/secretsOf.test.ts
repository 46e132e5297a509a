import { expect } from "chai";
import { publicRpcUrl, redactor, secretsOf } from "../../service/secrets";

/** Finding 6, the rules: which RPC URLs may be published, and what is scrubbed from responses and logs. */
describe("secretsOf / publicRpcUrl", function () {
  it("behavior: only an RPC URL with no credentials, path, query or fragment is published", function () {
    const pub = (rpcUrl: string): string | null => publicRpcUrl({ rpcUrl, publicRpcUrl: undefined });
    expect(pub("http://127.0.0.1:8545")).to.equal("http://127.0.0.1:8545");
    expect(pub("https://rpc.example.org/")).to.equal("https://rpc.example.org/");
    for (const secret of [
      "https://mainnet.infura.io/v3/0123456789abcdef",
      "https://user:pw@rpc.example.org",
      "https://rpc.example.org/?apikey=abc",
      "https://rpc.example.org/#token",
      "not a url",
    ])
      expect(pub(secret), secret).to.equal(null);
    expect(publicRpcUrl({ rpcUrl: "https://x/v3/KEY", publicRpcUrl: "https://public.example" })).to.equal(
      "https://public.example",
    );
  });

  it("behavior: the URL's key, credentials and the operator key are scrubbed, case-insensitively", function () {
    const key = "0x" + "ab".repeat(32);
    const scrub = redactor(
      secretsOf({ rpcUrl: "https://bob:hunter@rpc.example.org/v3/SECRETKEY123?apikey=QUERYKEY99", operatorKey: key }),
    );
    const line = `failed https://rpc.example.org/v3/secretkey123 QUERYKEY99 bob:hunter ${key.slice(2).toUpperCase()}`;
    const out = scrub(line);
    for (const s of ["secretkey123", "QUERYKEY99", "hunter", "AB".repeat(32)]) expect(out).to.not.include(s);
    expect(out).to.include("[redacted]");
    expect(scrub("v3 rpc mainnet"), "short path parts are no secret").to.equal("v3 rpc mainnet");
  });

  it("behavior: DATABASE_URL is scrubbed whole and its password alone, the user name and host stay", function () {
    const databaseUrl = "postgres://repay:s3cr%40tpw@db.internal:5432/repayproof";
    const scrub = redactor(secretsOf({ databaseUrl }));
    const out = scrub(`connect ${databaseUrl} failed; password s3cr@tpw, user repay at db.internal`);
    expect(out).to.not.include("s3cr");
    expect(out).to.include("repay at db.internal");
  });
});
