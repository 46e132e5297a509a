import { keccak256, toBeHex } from "ethers";
import { ZERO_ADDRESS, type AgreementVersion, type ReceiptJson } from "@repayproof/verifier";
import type { Store, WriteOp } from "../../service/store/Store";

const DAY = 86_400;
/** Receipts per stored batch (the service's default BATCH_MAX). */
const BATCH = 4096;
/** The first day of the synthetic history; loans fall due over the following year. */
export const T0 = 1_700_000_000;

const address = (n: number): string => "0x" + (0xa0 + n).toString(16).repeat(20);
const hex32 = (s: string): string => keccak256(Buffer.from(s));

/** The bench agreement's one version: short allowances (so about half the stages are late), nothing backdated. */
export function benchVersions(): AgreementVersion[] {
  return [
    {
      version: 1,
      effectiveAt: 0,
      blockNumber: 1,
      terms: {
        platform: address(0),
        funder: address(1),
        collector: address(2),
        guarantor: ZERO_ADDRESS,
        channels: [address(3), address(4), address(5)],
        graceSecs: 3_600,
        settleSecs: 600,
        forwardSecs: 86_400,
        confirmSecs: 86_400,
        reportSecs: 30 * DAY,
        disclosureHash: hex32("disclosure"),
      },
    },
  ];
}

/**
 * Writes `target` receipts of one agreement straight into `store`, as ingest and the batcher would have left
 * them (records, loan and agreement indexes, ANCHORED batches of 4096 with their leaves), for loans falling due
 * over up to a year: DUE → INITIATED → SETTLED → FORWARDED → CONFIRMED, some stopping early (open breaches), stage
 * gaps up to about twice their allowance. Signatures are not checked by anything the stats read, so none is made.
 */
export async function fillStatsStore(store: Store, agreementId: string, target: number): Promise<number> {
  const v = benchVersions()[0] as AgreementVersion;
  const signers = [v.terms.platform, v.terms.channels[0], v.terms.channels[0], v.terms.collector, v.terms.funder];
  const allowance = [0, v.terms.graceSecs, v.terms.settleSecs, v.terms.forwardSecs, v.terms.confirmSecs];
  await store.write([{ type: "terms", agreementId, versions: benchVersions() }]);
  // About 2,700 receipts a day, a year at most: a batch spans a few days, well within reportSecs.
  const days = Math.min(365, Math.max(7, Math.ceil(target / 2_700)));
  let stored = 0;
  let seq = 0;
  let ops: WriteOp[] = [];
  let leaves: string[] = [];
  let latest = 0;
  const flush = async (): Promise<void> => {
    const root = hex32(`root-${seq}`);
    ops.push(
      { type: "leaves", seq, leaves: { digests: leaves, acceptedAtMs: leaves.map(() => latest * 1000) } },
      {
        type: "batch",
        batch: {
          seq,
          root,
          count: leaves.length,
          state: "FINAL",
          sealedAt: latest * 1000,
          txs: [],
          anchoredAt: latest + 60,
        },
      },
    );
    await store.write(ops);
    seq++;
    ops = [];
    leaves = [];
  };
  for (let i = 0; stored < target; i++) {
    const loanId = hex32(`loan-${i}`);
    const channel = v.terms.channels[i % 3] as string;
    const last = [4, 4, 4, 3, 4, 2, 4, 1, 4, 0][i % 10] as number;
    let t = T0 + Math.floor((i * 4 * days * DAY) / target);
    for (let k = 0; k <= last && stored < target; k++) {
      if (k > 0) t += Math.floor((((i * 31 + k * 17) % 100) / 50) * (allowance[k] as number));
      const receipt: ReceiptJson = {
        agreementId,
        loanId,
        installment: 1,
        kind: k + 1,
        amount: "125000",
        currency: 156,
        channel: 2,
        externalRef: hex32(`ext-${i}-${k}`),
        ref: "0x" + "00".repeat(32),
        occurredAt: t,
        nonce: String(i * 8 + k),
        attester: k === 1 || k === 2 ? channel : (signers[k] as string),
      };
      const digest = toBeHex(BigInt(hex32(`digest-${i}-${k}`)), 32);
      const record = {
        receipt,
        signature: "0x" + "11".repeat(65),
        acceptedAt: t,
        anchorBy: t + 3600,
        ackSignature: "0x",
      };
      ops.push(
        { type: "receipt", digest, record: JSON.stringify(record) },
        { type: "loanReceipt", loanId, digest },
        { type: "agreementLoan", agreementId, loanId },
        { type: "batchOf", digest, seq },
      );
      leaves.push(digest);
      latest = Math.max(latest, t);
      stored++;
      if (leaves.length === BATCH) await flush();
    }
  }
  if (leaves.length > 0) await flush();
  return stored;
}
