import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import {
  ChildExitedError,
  freePort,
  getJson,
  postJson,
  startHardhatNode,
  startServiceProcess,
} from "../../../scripts/devnet";
import { baseEnv } from "../../helpers/spawnFixture";

/** Whether any process of the group led by `pid` is alive. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

const answers = (url: string): Promise<boolean> =>
  postJson(url, { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }).then(
    (r) => r.status === 200,
    () => false,
  );

describe("scripts/devnet", function () {
  this.timeout(120_000);

  describe("startHardhatNode", function () {
    it("behavior: answers JSON-RPC on the port asked for, in its own process group, which stop ends entirely", async function () {
      const port = await freePort();
      const node = await startHardhatNode({ port });
      const pid = node.child.pid!;
      try {
        expect(node.url).to.equal(`http://127.0.0.1:${port}`);
        const chainId = await postJson<{ result: string }>(node.url, {
          jsonrpc: "2.0",
          id: 1,
          method: "eth_chainId",
          params: [],
        });
        expect(chainId.body.result).to.equal("0x7a69");
        // A process group with the node's pid as its id exists: the node leads a group of its own.
        expect(groupAlive(pid), "leads its own process group").to.equal(true);
      } finally {
        await node.stop();
      }
      expect(groupAlive(pid), "every process of the group is gone").to.equal(false);
      expect(await answers(node.url), "the port is closed").to.equal(false);
    });

    it("behavior: `npm run node` (a launcher in front of the node) is stopped with everything it started", async function () {
      const node = await startHardhatNode({ command: ["npm", "run", "node", "--"] });
      const pid = node.child.pid!;
      expect(await answers(node.url)).to.equal(true);
      await node.stop();
      expect(groupAlive(pid)).to.equal(false);
      expect(await answers(node.url)).to.equal(false);
    });

    it("error: a node that cannot bind its port fails with its output; the node already there is no answer", async function () {
      const port = await freePort();
      const first = await startHardhatNode({ port });
      try {
        const err = await startHardhatNode({ port, timeoutMs: 30_000 }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, "the port is taken").to.be.instanceOf(Error);
        expect((err as Error).message).to.include(`port ${port}`);
        expect((err as Error).message, "its own output says why").to.include("EADDRINUSE");
        expect(await answers(first.url), "the running node is untouched").to.equal(true);
      } finally {
        await first.stop();
      }
    });
  });

  describe("startServiceProcess", function () {
    it("error: a service that exits before listening rejects with its exit code and output", async function () {
      const err = await startServiceProcess(baseEnv({ BATCH_MAX: "0", RPC_URL: "http://127.0.0.1:1" })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(ChildExitedError);
      expect((err as ChildExitedError).code).to.equal(1);
      expect((err as ChildExitedError).output).to.include("BATCH_MAX");
    });
  });

  describe("getJson", function () {
    it("error: a body that is not JSON is an error naming the status", async function () {
      const server = http.createServer((_req, res) => res.end("<html>not json</html>"));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const err = await getJson(`http://127.0.0.1:${port}/`).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).to.be.instanceOf(Error);
        expect((err as Error).message).to.match(/^200 /);
      } finally {
        await new Promise((r) => server.close(r));
      }
    });
  });
});
