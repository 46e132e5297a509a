/**
 * Measures the worker's share of ingest on one thread, without HTTP or LevelDB: `preprocess` of a body of
 * 500 signed items (parse, digest, recovery, Ack signing, record), in µs per receipt, next to the two
 * libsecp256k1 calls it cannot avoid (one ecdsaRecover, one ecdsaSign) measured in the same process.
 *   npx ts-node --transpile-only service/tools/measurePreprocess.ts [rounds=20]
 */
import secp256k1 from "secp256k1";
import { domainSeparator, fromHex, keccakReady, KIND, receiptDomain } from "../../verifier";
import { makeParties, makeReceipt, randomId, signReceipt } from "../../test/service/helpers/parties";
import { preprocess, type PreprocessContext } from "../ingest/preprocess";

const ITEMS = 500;

async function main(): Promise<void> {
  await keccakReady();
  const rounds = Number(process.argv[2] ?? 20);
  const d = { chainId: 31337, registry: "", anchor: "0x" + "11".repeat(20), operator: "", blockNumber: 0 };
  const p = makeParties();
  const ctx: PreprocessContext = {
    domainSeparator: domainSeparator(receiptDomain(d.chainId, d.anchor)),
    operatorKey: fromHex(p.platform.privateKey),
    maxAnchorDelayS: 3600,
  };
  const items = Array.from({ length: ITEMS }, () =>
    signReceipt(d, makeReceipt(randomId(), p.channel, KIND.SETTLED), p.channel),
  );
  const body = Buffer.from(JSON.stringify({ items: items.map((i) => i.item) }));
  const sigs = items.map((i) => fromHex(i.item.signature));
  const digests = items.map((i) => fromHex(i.digest));
  const nowS = Math.floor(Date.now() / 1000);

  const ours: number[] = [];
  const raw: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    const out = preprocess(body, ctx, nowS);
    ours.push(((performance.now() - t) * 1000) / ITEMS);
    if ("error" in out || out.items.some((x) => "error" in x)) throw new Error("preprocess refused an item");
    t = performance.now();
    for (let i = 0; i < ITEMS; i++) {
      const sig = sigs[i] as Buffer;
      secp256k1.ecdsaRecover(sig.subarray(0, 64), (sig[64] as number) - 27, digests[i] as Buffer, false);
      secp256k1.ecdsaSign(digests[i] as Buffer, ctx.operatorKey);
    }
    raw.push(((performance.now() - t) * 1000) / ITEMS);
  }
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const o = med(ours.slice(2)); // the first rounds warm the JIT
  const c = med(raw.slice(2));
  console.log(
    JSON.stringify({
      preprocessUsPerReceipt: Number(o.toFixed(1)),
      recoverPlusSignUsPerReceipt: Number(c.toFixed(1)),
      overheadUsPerReceipt: Number((o - c).toFixed(1)),
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
