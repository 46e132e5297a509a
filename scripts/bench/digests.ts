import { randomBytes } from "node:crypto";

/** `n` distinct random bytes32 digests as 0x-hex (what a batch of receipts looks like to the tree). */
export function randomDigests(n: number): string[] {
  const raw = randomBytes(32 * n).toString("hex");
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = "0x" + raw.slice(i * 64, i * 64 + 64);
  return out;
}

/** `10000` → `10k`, `1000000` → `1M`. */
export function sizeLabel(n: number): string {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`;
  return String(n);
}
