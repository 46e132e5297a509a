import { expect } from "chai";
import {
  formatAmount,
  formatProgress,
  formatResultLine,
  formatTime,
  malformedResult,
  printable,
} from "@repayproof/verifier";

describe("verifier/cliFormat", function () {
  it("args: amounts in minor units print with their currency's decimals", function () {
    expect(formatAmount(125000n, 156)).to.equal("1,250.00 CNY");
    expect(formatAmount(5n, 156)).to.equal("0.05 CNY");
    expect(formatAmount(0n, 840)).to.equal("0.00 USD");
    expect(formatAmount(1234567n, 392)).to.equal("1,234,567 JPY");
    expect(formatAmount(10n ** 30n, 156)).to.equal("10,000,000,000,000,000,000,000,000,000.00 CNY");
    expect(formatAmount(42n, 999)).to.equal("42 minor units of ISO 4217 #999");
  });

  it("args: times print in UTC, and absurd ones raw", function () {
    expect(formatTime(1_900_000_000)).to.equal("2030-03-17 17:46:40 UTC");
    expect(formatTime(0)).to.equal("1970-01-01 00:00:00 UTC");
    expect(formatTime(Number.MAX_SAFE_INTEGER)).to.equal(`${Number.MAX_SAFE_INTEGER} (unix seconds)`);
  });

  it("behavior: the progress bar fills with the share done", function () {
    expect(formatProgress(0, 10, 10)).to.equal("[----------] 0/10");
    expect(formatProgress(5, 10, 10)).to.equal("[#####-----] 5/10");
    expect(formatProgress(10, 10, 10)).to.equal("[##########] 10/10");
  });

  it("behavior: a result line marks every check and names the first failure's code", function () {
    const line = formatResultLine("x.json", malformedResult("not JSON"));
    expect(line).to.match(/^✗ invalid x\.json {2}FORMAT✗ CHAIN· DIGEST· .* ACK· {2}MALFORMED_BUNDLE: not JSON$/);
  });

  it("behavior: printable escapes control, DEL, C1 and bidi characters and leaves the rest", function () {
    expect(printable("a\u001b[31mb\r\n\u007f\u009b\u202e\u2066 ✓ 中文")).to.equal(
      "a\\x1b[31mb\\x0d\\x0a\\x7f\\x9b\\u202e\\u2066 ✓ 中文",
    );
  });

  it("behavior: a result line names the field of the first failure and escapes what came from the file", function () {
    const r = malformedResult("x");
    r.checks[0]!.field = "bundle.\u001b[2J";
    expect(formatResultLine("evil\u001b.json", r)).to.match(
      /^✗ invalid evil\\x1b\.json .* MALFORMED_BUNDLE at bundle\.\\x1b\[2J: x$/,
    );
  });
});
