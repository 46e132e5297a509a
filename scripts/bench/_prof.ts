import { buildTree } from "../../verifier/merkle";
import { randomDigests } from "./digests";
const n = Number(process.argv[2] ?? 100000);
const d = randomDigests(n);
for (let r = 0; r < 4; r++) {
  let t = process.hrtime.bigint();
  const tree = buildTree(d);
  const t1 = Number(process.hrtime.bigint() - t) / 1e6;
  t = process.hrtime.bigint();
  for (const x of d) tree.proof(x);
  const t2 = Number(process.hrtime.bigint() - t) / 1e6;
  console.log(`build ${t1.toFixed(1)} ms, proofs ${t2.toFixed(1)} ms`);
}
