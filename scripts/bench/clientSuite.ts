import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import type * as ClientModule from "../../client/src/index";
import { deployContracts } from "../lib/deployContracts";
import { installPacked } from "../lib/packedInstall";
import { blast, CLIENTS, ITEMS } from "./ingestSuite";
import { registerAgreement, signedBodies } from "./loadGenerator";
import { figure, ratioRuns, seconds, settle } from "./measure";
import { log, type BenchOptions } from "./options";
import { benchServiceEnv, startHardhatNode, startServiceProcess } from "./processes";
import type { Row } from "./report";

const HARDHAT_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/**
 * The client package as a platform gets it: `npm pack ./verifier ./client`, installed from the tarballs in an
 * empty folder under `dir` (offline, the repository's locked versions), then loaded from there.
 */
function installedClient(dir: string): typeof ClientModule {
  const app = installPacked(["verifier", "client"], dir);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a package installed at run time
  return require(path.join(app, "node_modules", "@repayproof", "client")) as typeof ClientModule;
}

/**
 * `--only client`: the client package (requests of 500, 4 in flight, every Ack checked) against the bench's
 * own load generator (pre-signed bodies of 500, 4 clients, answers only counted) on the same service, run by
 * run: receipts signed before timing (the goal of issue 15: ≥ 0.8 × the generator), and signed while timed.
 */
export async function clientSuite(opts: BenchOptions): Promise<Row[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-bench-client-"));
  const dataDir = path.join(dir, "data");
  log("packing and installing the client package (npm pack ./verifier ./client, npm ci --offline)");
  const { RepayProofClient } = installedClient(path.join(dir, "packed"));
  const node = await startHardhatNode();
  let svc: Awaited<ReturnType<typeof startServiceProcess>> | undefined;
  try {
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    const d = await deployContracts(new Wallet(HARDHAT_KEY_0, provider));
    provider.destroy();
    svc = await startServiceProcess(
      benchServiceEnv(node.url, d, { DATA_DIR: dataDir, BACKLOG_PER_AGREEMENT: "1000000" }),
    );
    const url = svc.url;
    const generatorAgreement = await registerAgreement(url, d);
    const clientAgreement = await registerAgreement(url, d);
    const signer = new Wallet(Buffer.from(clientAgreement.channelKeys[0] as Uint8Array).toString("hex"));
    const client = new RepayProofClient({ url, signer });
    const n = opts.quick ? 2000 : 10_000;
    let nonce = BigInt(Date.now()) * 1000n;
    const receipts = (): ClientModule.ReceiptInput[] => {
      const now = Math.floor(Date.now() / 1000) - 60;
      return Array.from({ length: n }, (_, i) => ({
        agreementId: clientAgreement.agreementId,
        loanId: "0x" + (nonce + BigInt(i)).toString(16).padStart(64, "0"),
        installment: 1 + (i % 12),
        kind: "SETTLED" as const,
        amount: 125_000 + i,
        channel: 2,
        occurredAt: now - (i % 60),
        nonce: nonce++,
      }));
    };
    await client.submit(receipts()); // warm up both paths (connections, workers, the terms cache)
    await blast(
      url,
      signedBodies(generatorAgreement, d, CLIENTS, ITEMS).map((b) => b.body),
    );
    const presigned: number[] = [];
    const signing: number[] = [];
    const reference: number[] = [];
    for (let r = 0; r < opts.runs; r++) {
      const bodies = signedBodies(generatorAgreement, d, Math.ceil(n / ITEMS), ITEMS).map((b) => b.body);
      const signed = await client.sign(receipts());
      const toSign = receipts();
      const timed = async (fn: () => Promise<number>): Promise<number> => {
        await settle();
        let count = 0;
        const t = await seconds(async () => (count = await fn()));
        return count / t;
      };
      reference.push(await timed(() => blast(url, bodies)));
      presigned.push(await timed(async () => (await client.submitSigned(signed)).length));
      signing.push(await timed(async () => (await client.submit(toSign)).length));
      log(
        `client run ${r + 1}: load generator ${Math.round(reference[r]!)}/s, client submitSigned ${Math.round(presigned[r]!)}/s, client submit (signing) ${Math.round(signing[r]!)}/s`,
      );
    }
    const refFig = figure(reference, "receipts/s");
    const size = `${n.toLocaleString("en-US")} receipts`;
    const reference_ = {
      label: `the bench's load generator (pre-signed, ${ITEMS}/request, ${CLIENTS} clients)`,
      figure: refFig,
    };
    const presignedFig = figure(presigned, "receipts/s");
    const signingFig = figure(signing, "receipts/s");
    const common =
      "same service process (child, defaults but the rate limit and per-agreement backlog lifted), same Hardhat node, runs alternating generator, client pre-signed, client signing; the client is installed from its tarball (`npm pack ./client`, with the verifier's) in an empty folder and loaded from there, with its defaults (500 items per request, 4 in flight) and checks every Ack's proof and operator signature";
    return [
      {
        suite: "client package: submitSigned()",
        size,
        ours: { label: "RepayProofClient, receipts signed before timing (like the generator's)", figure: presignedFig },
        reference: reference_,
        ratio: { runs: ratioRuns(presignedFig, refFig), label: " of the generator" },
        goal: { text: "≥ 0.8 of the load generator", target: 0.8, direction: "atLeast" },
        note: `like for like: neither side signs while timed. ${common}`,
      },
      {
        suite: "client package: submit() with signing",
        size,
        ours: { label: "RepayProofClient.submit, signing every receipt while timed", figure: signingFig },
        reference: reference_,
        ratio: { runs: ratioRuns(signingFig, refFig), label: " of the generator" },
        note: `the client signs each receipt (an ethers Wallet: the verifier's digest and libsecp256k1, ~ the CPU of one recovery) on the same cores the service recovers signatures on, so on a CPU-bound machine this ratio is bounded by the CPU signing takes from the service. ${common}`,
      },
    ];
  } finally {
    await svc?.stop();
    await node.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
