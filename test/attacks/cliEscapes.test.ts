import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { main as runCli } from "@repayproof/verifier/cli";
import { readGolden } from "../verifier/fixtureFiles";
import { startHardhatNode, type RunningNode } from "../verifier/hardhatNode";

/** Characters that drive a terminal or reorder what it shows (C0 but newline, DEL, C1, bidi overrides). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const DRIVING = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/**
 * Finding 13: text output escapes control characters from a file, but `--json` output was JSON.stringify's:
 * it leaves DEL, C1 controls (U+009B is a CSI) and bidi overrides raw, so a file's field names reached the
 * terminal through `verify --json`.
 */
describe("attack: terminal escapes from a file, in text and JSON output", function () {
  this.timeout(120_000);
  let node: RunningNode;
  let dir: string;
  const evilKey = "\u009b2J\u001b[31m\u202e\u007f";

  before(async function () {
    node = await startHardhatNode();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-escapes-"));
  });
  after(async function () {
    await node?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("behavior: verify, verify --json and inspect print no raw control character; the JSON still parses", async function () {
    const file = path.join(dir, `evil${evilKey}.json`);
    fs.writeFileSync(file, JSON.stringify({ ...readGolden().settled, [evilKey]: 1 }));
    for (const args of [
      ["verify", file, "--rpc", node.url, "--json"],
      ["verify", file, "--rpc", node.url],
      ["inspect", file],
    ]) {
      let out = "";
      const io = { out: (l: string) => (out += l + "\n"), err: (l: string) => (out += l + "\n"), env: {} };
      await runCli(args, io);
      expect(DRIVING.test(out), `${args.join(" ")} printed ${JSON.stringify(out)}`).to.equal(false);
      if (args.includes("--json")) {
        const parsed = JSON.parse(out) as { results: { file: string }[] };
        expect(parsed.results[0]?.file, "the escapes are JSON's: the value round-trips").to.equal(file);
      }
    }
  });
});
