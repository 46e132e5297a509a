import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { Contract, JsonRpcProvider, type InterfaceAbi } from "ethers";
import { chainHead, loanStateRoot, readStateRootAt } from "@repayproof/verifier";
import { readArtifact, type Deployment } from "../../scripts/lib/deployContracts";
import { getJson } from "../../scripts/devnet";

export interface BatchView {
  stream: string;
  seq: number;
  root: string;
  count: number;
  state: string;
  stateRoot: string | null;
  txHash: string | null;
  blockNumber: number | null;
  digests: string[];
}

/** Every batch of the service's stream, read through the public batches endpoint until 404. */
export async function allBatches(serviceUrl: string, stream: string): Promise<BatchView[]> {
  const out: BatchView[] = [];
  for (let seq = 0; ; seq++) {
    const r = await getJson<BatchView>(`${serviceUrl}/v1/batches/${stream}/${seq}`);
    if (r.status === 404) return out;
    expect(r.status).to.equal(200);
    out.push(r.body);
  }
}

/**
 * The audit of the crash test, done as an outsider would: rebuild each batch's root from its digests with
 * OpenZeppelin's library, check `anchorOf` on chain (our stream, its seq, its count), and count how often
 * each digest is anchored. Returns digest → occurrences.
 */
export async function auditAnchors(
  rpcUrl: string,
  d: Deployment,
  stream: string,
  batches: BatchView[],
): Promise<Map<string, number>> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1 });
  const anchor = new Contract(d.anchor, readArtifact("ReceiptAnchor").abi as InterfaceAbi, provider);
  const seen = new Map<string, number>();
  try {
    for (const b of batches) {
      const root = StandardMerkleTree.of(
        b.digests.map((x) => [x]),
        ["bytes32"],
      ).root;
      expect(root, `root of batch ${b.seq}`).to.equal(b.root);
      const [s, seq, count, timestamp] = (await anchor.getFunction("anchorOf")(root)) as [
        string,
        bigint,
        bigint,
        bigint,
      ];
      expect(timestamp, `batch ${b.seq} anchored`).to.not.equal(0n);
      expect(s.toLowerCase()).to.equal(stream.toLowerCase());
      expect(Number(seq)).to.equal(b.seq);
      expect(Number(count)).to.equal(b.digests.length);
      for (const x of b.digests) seen.set(x, (seen.get(x) ?? 0) + 1);
    }
    expect(Number(await anchor.getFunction("nextSeq")(stream))).to.equal(batches.length);
  } finally {
    provider.destroy();
  }
  return seen;
}

/**
 * The state roots of the crash test, audited from scratch: replays every batch's digests (in their order)
 * into each loan's hash chain with the verifier's plain tree, and requires, for every seq, the same root in
 * the service's batch record and in the chain's `BatchAnchored` event. `loanKeyOf` maps a digest to its loan's
 * state key. So a crash anywhere between seal, tree update and anchor left tree, records and chain agreeing.
 */
export async function auditStateRoots(
  rpcUrl: string,
  d: Deployment,
  stream: string,
  batches: BatchView[],
  loanKeyOf: (digest: string) => string,
): Promise<void> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1 });
  const chains = new Map<string, string[]>();
  try {
    for (const b of batches) {
      for (const x of b.digests) chains.set(loanKeyOf(x), [...(chains.get(loanKeyOf(x)) ?? []), x]);
      const expected = loanStateRoot([...chains].map(([key, ds]) => ({ key, count: ds.length, head: chainHead(ds) })));
      expect(b.stateRoot, `sealed state root of batch ${b.seq}`).to.equal(expected);
      const emitted = await readStateRootAt(provider, d.anchor, stream, b.seq);
      expect(emitted?.stateRoot, `anchored state root of batch ${b.seq}`).to.equal(expected);
    }
  } finally {
    provider.destroy();
  }
}
