import { keccakReady } from "@repayproof/verifier";
import { chainAt, readText, verifyText, type Chain } from "./verifyFile";
import type { Contracts, FromWorker, ToWorker } from "./workerMessages";

/**
 * A verification worker (bundled apart by scripts/buildWeb.js and started by ./verifyPool from a Blob URL):
 * reads and verifies the files the page hands it with the same code the page runs (./verifyFile), against
 * its own connection to the RPC, and posts each outcome back. It decides nothing the page would not.
 */

/**
 * Files verified at once (more than the page ever hands it): an RPC batch (ethers sends 100 calls at most)
 * is out while the worker checks the signatures of the next files.
 */
const IN_FLIGHT = 128;

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
};

// The WebAssembly keccak is only faster; without it the portable one runs, as on the page.
const ready = keccakReady().catch(() => undefined);
let chain: Chain | undefined;
let contracts: Contracts = {};
const queue: { i: number; file: File }[] = [];
let running = 0;

async function verify(i: number, file: File): Promise<void> {
  await ready;
  try {
    if (chain === undefined) throw new Error("verify before init");
    const outcome = await verifyText(await readText(file), chain, contracts);
    scope.postMessage({ type: "result", i, outcome });
  } catch {
    scope.postMessage({ type: "failed", i });
  }
}

function pump(): void {
  for (let next = queue.shift(); next !== undefined; next = running < IN_FLIGHT ? queue.shift() : undefined) {
    running++;
    void verify(next.i, next.file).finally(() => {
      running--;
      pump();
    });
  }
}

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === "init") {
    chain?.close(); // a worker serves one run after another
    chain = chainAt(m.rpcUrl, BigInt(m.chainId));
    contracts = m.contracts;
  } else {
    queue.push(...m.files);
    pump();
  }
};
