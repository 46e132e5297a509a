import { expect } from "chai";
import { Contract, JsonRpcProvider, Wallet, type InterfaceAbi } from "ethers";
import pino from "pino";
import { readArtifact, type Deployment } from "../../scripts/lib/deployContracts";
import { Batcher } from "../../service/batches/Batcher";
import { PendingQueue } from "../../service/batches/PendingQueue";
import { HARDHAT_KEY_0 } from "../../service/config";
import { createMetrics } from "../../service/metrics";
import { defaultStream } from "../../service/server";
import { LevelStore } from "../../service/store/leveldb/LevelStore";
import { KIND } from "@repayproof/verifier";
import { startHardhatNode, type NodeHandle } from "./helpers/hardhatNode";
import { serviceEnv, startInProcess, tempDir, testConfig } from "./helpers/inProcess";
import {
  agreementBody,
  bearer,
  deployOn,
  makeParties,
  makeReceipt,
  randomId,
  signReceipt,
  type Parties,
} from "./helpers/parties";
import { spawnService } from "./helpers/serviceProcess";
import { waitFor } from "./helpers/audit";

const OPERATOR = new Wallet(HARDHAT_KEY_0).address;

async function post(
  url: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Seals the pending queue of a stopped service's DATA_DIR into batch records, as a crash right after sealing leaves it. */
async function sealOffline(dir: string): Promise<{ seq: number; root: string; count: number }> {
  const store = new LevelStore(dir);
  await store.open();
  try {
    const queue = new PendingQueue(store);
    await queue.init();
    const sink = { room: () => Promise.resolve(), enqueue: () => undefined };
    const opts = { batchMax: 1000, intervalMs: 3_600_000 };
    const batcher = new Batcher(store, queue, sink, opts, createMetrics(false), pino({ level: "silent" }));
    await batcher.init();
    const b = await batcher.seal();
    if (!b) throw new Error("nothing to seal");
    return b;
  } finally {
    await store.close();
  }
}

describe("restart", function () {
  this.timeout(240_000);
  let node: NodeHandle;
  let d: Deployment;
  let p: Parties;
  let agreementId: string;
  const dirs: { remove(): void }[] = [];

  before(async function () {
    node = await startHardhatNode();
    d = await deployOn(node.url);
    p = makeParties();
    agreementId = randomId();
  });

  after(async function () {
    await node?.stop();
    for (const t of dirs) t.remove();
  });

  const tmp = (): string => {
    const t = tempDir();
    dirs.push(t);
    return t.dir;
  };

  it("behavior: receipts pending at a clean stop are anchored after the restart, with their original Acks", async function () {
    const dir = tmp();
    let svc = await spawnService(
      serviceEnv(node.url, d, dir, { BATCH_INTERVAL_MS: "3600000", REGULATORS: p.regulator.address }),
    );
    expect((await post(svc.url, "/v1/agreements", await agreementBody(d, p, agreementId))).status).to.equal(201);
    const items = Array.from(
      { length: 30 },
      () => signReceipt(d, makeReceipt(agreementId, p.platform, KIND.DUE), p.platform).item,
    );
    const first = await post(svc.url, "/v1/receipts", { items });
    expect(first.status).to.equal(202);
    await svc.kill("SIGTERM");

    svc = await spawnService(
      serviceEnv(node.url, d, dir, { BATCH_INTERVAL_MS: "200", REGULATORS: p.regulator.address }),
    );
    try {
      const auth = bearer(d, p.regulator);
      const results = first.body.results as { digest: string; ack: unknown }[];
      await waitFor("anchoring after restart", async () => {
        const r = await fetch(`${svc.url}/v1/receipts/${results[29]!.digest}`, { headers: { authorization: auth } });
        return ((await r.json()) as { status: string }).status === "final";
      });
      const again = await post(svc.url, "/v1/receipts", { items });
      const replay = again.body.results as { digest: string; ack: unknown; status: string }[];
      replay.forEach((r, i) => {
        expect(r.digest).to.equal(results[i]!.digest);
        expect(r.ack).to.deep.equal(results[i]!.ack);
        expect(r.status).to.equal("final");
      });
    } finally {
      await svc.kill();
    }
  });

  it("behavior: a sealed batch the chain already anchored is marked anchored, never anchored twice", async function () {
    const dir = tmp();
    const config = testConfig(node.url, d, dir, { batchIntervalMs: 3_600_000, stream: randomId() });
    let svc = await startInProcess(config);
    const items = Array.from(
      { length: 5 },
      () => signReceipt(d, makeReceipt(agreementId, p.funder, KIND.CONFIRMED), p.funder).item,
    );
    expect((await post(svc.url, "/v1/receipts", { items })).status).to.equal(202);
    await svc.close();
    const sealed = await sealOffline(dir);
    // The chain got the anchor (say the process died after broadcasting, before noting it).
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    const anchor = new Contract(
      d.anchor,
      readArtifact("ReceiptAnchor").abi as InterfaceAbi,
      new Wallet(HARDHAT_KEY_0, provider),
    );
    await (await anchor.getFunction("anchorBatch")(config.stream, sealed.seq, sealed.root, sealed.count)).wait();

    svc = await startInProcess({ ...config, batchIntervalMs: 200 });
    try {
      await waitFor(
        "the batch to be recognised as anchored",
        async () => (await svc.deps.store.getBatch(sealed.seq))?.state === "FINAL",
      );
      expect(Number(await anchor.getFunction("nextSeq")(config.stream))).to.equal(1);
      expect(svc.deps.anchorer.halted).to.equal(undefined);
    } finally {
      await svc.close();
      provider.destroy();
    }
  });

  it("behavior: a submitted transaction that never reached the node is rebroadcast on restart", async function () {
    const dir = tmp();
    const config = testConfig(node.url, d, dir, { batchIntervalMs: 3_600_000, stream: randomId() });
    let svc = await startInProcess(config);
    const items = Array.from(
      { length: 5 },
      () => signReceipt(d, makeReceipt(agreementId, p.funder, KIND.CONFIRMED), p.funder).item,
    );
    expect((await post(svc.url, "/v1/receipts", { items })).status).to.equal(202);
    await svc.close();
    const sealed = await sealOffline(dir);
    // Sign the anchoring transaction and note it as SUBMITTED, but never broadcast it (a crash in between).
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    const wallet = new Wallet(HARDHAT_KEY_0, provider);
    const anchor = new Contract(d.anchor, readArtifact("ReceiptAnchor").abi as InterfaceAbi, wallet);
    const tx = await wallet.populateTransaction({
      to: d.anchor,
      data: anchor.interface.encodeFunctionData("anchorBatch", [config.stream, sealed.seq, sealed.root, sealed.count]),
    });
    const raw = await wallet.signTransaction(tx);
    const { Transaction } = await import("ethers");
    const store = new LevelStore(dir);
    await store.open();
    const sealedRecord = (await store.getBatch(sealed.seq))!;
    const b = {
      ...sealedRecord,
      state: "SUBMITTED" as const,
      txs: [{ hash: Transaction.from(raw).hash!, nonce: Number(tx.nonce), raw, sentAt: Date.now() }],
    };
    await store.write([{ type: "batch", batch: b }]);
    await store.close();

    svc = await startInProcess({ ...config, batchIntervalMs: 200 });
    try {
      await waitFor(
        "the rebroadcast transaction to anchor the batch",
        async () => (await svc.deps.store.getBatch(sealed.seq))?.state === "FINAL",
      );
      const final = (await svc.deps.store.getBatch(sealed.seq))!;
      expect(final.txHash).to.equal(b.txs[0]!.hash);
      expect(Number(await anchor.getFunction("nextSeq")(config.stream))).to.equal(1);
    } finally {
      await svc.close();
      provider.destroy();
    }
  });

  it("error: refuses to start on a DATA_DIR that belongs to another chain (a new node)", async function () {
    const dir = tmp();
    const svc = await spawnService(serviceEnv(node.url, d, dir));
    await svc.kill();
    const other = await startHardhatNode();
    try {
      const d2 = await deployOn(other.url);
      expect(d2.anchor).to.equal(d.anchor); // same deployer and nonce: only the chain identity tells them apart
      const err = await spawnService(serviceEnv(other.url, d2, dir)).then(
        () => undefined,
        (e: { code?: number; output?: string }) => e,
      );
      expect(err, "the service must refuse to start").to.not.equal(undefined);
      expect(err!.code).to.equal(1);
      expect(err!.output).to.match(/Refusing to mix/);
    } finally {
      await other.stop();
    }
  });

  it("behavior: the default stream is derived from the operator and stable", function () {
    expect(defaultStream(OPERATOR)).to.equal(defaultStream(OPERATOR.toLowerCase()));
  });
});
