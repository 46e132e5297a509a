import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { main as runCli } from "@repayproof/verifier/cli";
import { readGolden } from "./fixtureFiles";
import { startHardhatNode, type RunningNode } from "./hardhatNode";

/** Runs the CLI in this process and collects everything it printed. */
async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const io = { out: (l: string) => (out += l + "\n"), err: (l: string) => (out += l + "\n"), env: {} };
  return { code: await runCli(args, io), out };
}

describe("cli: files that are not what they claim", function () {
  this.timeout(120_000);
  let node: RunningNode;
  let dir: string;
  const file = (name: string, content: string | Buffer): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, content);
    return p;
  };

  before(async function () {
    node = await startHardhatNode();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-hostile-"));
  });

  after(async function () {
    await node?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const [what, name, content, says] of [
    ["not JSON", "notjson.json", "{ nope", /not JSON/],
    ["50 MB of spaces", "huge.json", Buffer.alloc(50 * 1024 * 1024, 0x20), /too large to be a proof file/],
    [
      "200,000 levels of nesting",
      "nested.json",
      "[".repeat(200_000) + "]".repeat(200_000),
      /not a repayproof\/receipt-proof@1 file/,
    ],
    ["another format", "other.json", JSON.stringify({ format: "someone/else@9" }), /format "someone\/else@9"/],
  ] as const) {
    it(`error: verify exits 2 for ${what}, naming the file`, async function () {
      const p = file(name, content);
      const r = await cli(["verify", p, "--rpc", node.url]);
      expect(r.code, r.out).to.equal(2);
      expect(r.out).to.contain(name);
      expect(r.out).to.match(says);
    });
  }

  it("error: verify-timeline exits 2 for a receipt bundle (not a timeline) and for not JSON", async function () {
    const bundle = file("bundle.json", JSON.stringify(readGolden().settled));
    expect((await cli(["verify-timeline", bundle, "--rpc", node.url])).code).to.equal(2);
    expect((await cli(["verify-timeline", file("x.json", "]"), "--rpc", node.url])).code).to.equal(2);
  });

  it("error: a bundle whose field holds terminal escapes is invalid (exit 1), the field named, nothing raw printed", async function () {
    const golden = readGolden().settled as unknown as Record<string, Record<string, unknown>>;
    const evil = { ...golden, receipt: { ...golden.receipt, loanId: "\u001b[2J\u001b]0;pwned\u0007" } };
    const r = await cli(["verify", file("evil.json", JSON.stringify(evil)), "--rpc", node.url]);
    expect(r.code, r.out).to.equal(1);
    expect(r.out).to.contain("receipt.loanId");
    // eslint-disable-next-line no-control-regex -- the point: no control character may reach the terminal
    expect(r.out).to.not.match(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });
});
