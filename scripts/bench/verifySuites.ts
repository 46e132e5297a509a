import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { TypedDataEncoder, recoverAddress as ethersRecover, type TypedDataDomain } from "ethers";
import {
  RECEIPT_TYPES,
  receiptDomain,
  keccakReady,
  buildTree,
  verifyProof,
  verifyBundleOffline,
} from "@repayproof/verifier";
import { randomDigests } from "./digests";
import { figure, rate, ratioRuns } from "./measure";
import { log, type BenchOptions } from "./options";
import type { Row } from "./report";
import { bundlesOf, bytes32, randomKeys, signReceipts, CHAIN_ID } from "./signedReceipts";

const BATCH = 1000;
const ENCODING = ["bytes32"];

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`bench: ${what}`);
}

/** Inclusion only: our verifyProof against StandardMerkleTree.verify, proofs of a batch of 1,000. */
export async function proofSuite(opts: BenchOptions): Promise<Row[]> {
  await keccakReady();
  const digests = randomDigests(BATCH);
  const tree = buildTree(digests);
  const proofs = digests.map((d) => tree.proof(d));
  const root = tree.root;
  const ours = (i: number): void => {
    const k = i % BATCH;
    check(verifyProof(root, digests[k] as string, proofs[k] as string[]), "our proof did not verify");
  };
  const oz = (i: number): void => {
    const k = i % BATCH;
    check(StandardMerkleTree.verify(root, ENCODING, [digests[k]], proofs[k] as string[]), "OZ did not verify");
  };
  rate(ours, 0.05, 100);
  rate(oz, 0.05, 10);
  const o: number[] = [];
  const r: number[] = [];
  for (let run = 0; run < opts.runs; run++) {
    o.push(rate(ours, opts.rateSeconds, 1000));
    r.push(rate(oz, opts.rateSeconds, 20));
  }
  log(`proof verification: ours ${Math.round(o[1] ?? 0)}/s, OZ ${Math.round(r[1] ?? 0)}/s`);
  const oursFig = figure(o, "proofs/s");
  const ozFig = figure(r, "proofs/s");
  return [
    {
      suite: "proof verification, inclusion only",
      size: `batch of ${BATCH} (10 levels)`,
      ours: { label: "verifyProof", figure: oursFig },
      reference: { label: "OZ StandardMerkleTree.verify", figure: ozFig },
      ratio: { runs: ratioRuns(oursFig, ozFig), label: "× faster" },
      goal: { text: "≥ 25× faster", target: 25, direction: "atLeast" },
    },
  ];
}

/**
 * Receipt verification offline (digest + signature + inclusion). Ours: verifyBundleOffline on a proof
 * bundle (it also parses and shape-checks the bundle). Reference: what ethers' verifyTypedData does
 * (TypedDataEncoder.hash, then recoverAddress), the digest reused for StandardMerkleTree.verify.
 */
export async function receiptSuite(opts: BenchOptions): Promise<Row[]> {
  await keccakReady();
  const anchor = "0x" + bytes32().slice(26);
  const registry = "0x" + bytes32().slice(26);
  const receipts = signReceipts(BATCH, anchor, randomKeys(8));
  const bundles = bundlesOf(receipts, anchor, registry);
  const domain: TypedDataDomain = receiptDomain(CHAIN_ID, anchor);
  const root = (bundles[0] as { batch: { root: string } }).batch.root;
  const ours = (i: number): void => {
    check(verifyBundleOffline(bundles[i % BATCH]).valid === true, "our offline verification failed");
  };
  const reference = (i: number): void => {
    const b = bundles[i % BATCH]!;
    const value = { ...b.receipt, amount: BigInt(b.receipt.amount), nonce: BigInt(b.receipt.nonce) };
    const digest = TypedDataEncoder.hash(domain, RECEIPT_TYPES, value);
    check(ethersRecover(digest, b.signature) === b.receipt.attester, "ethers recovered another signer");
    check(StandardMerkleTree.verify(root, ENCODING, [digest], b.proof), "OZ did not verify");
  };
  rate(ours, 0.05, 10);
  rate(reference, 0.05, 2);
  const o: number[] = [];
  const r: number[] = [];
  for (let run = 0; run < opts.runs; run++) {
    o.push(rate(ours, opts.rateSeconds, 50));
    r.push(rate(reference, opts.rateSeconds, 5));
  }
  log(`receipt verification: ours ${Math.round(o[1] ?? 0)}/s, reference ${Math.round(r[1] ?? 0)}/s`);
  const oursFig = figure(o, "receipts/s");
  const refFig = figure(r, "receipts/s");
  return [
    {
      suite: "receipt verification offline",
      size: `batch of ${BATCH}`,
      ours: { label: "verifyBundleOffline", figure: oursFig },
      reference: { label: "ethers verifyTypedData + OZ verify", figure: refFig },
      ratio: { runs: ratioRuns(oursFig, refFig), label: "× faster" },
      goal: { text: "≥ 10× faster", target: 10, direction: "atLeast" },
      note: "ours parses and shape-checks the whole bundle too; the reference runs verifyTypedData's two steps (TypedDataEncoder.hash, recoverAddress) so that its digest also feeds StandardMerkleTree.verify",
    },
  ];
}
