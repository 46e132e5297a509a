import fs from "node:fs";
import path from "node:path";
import type { ReceiptBundleJson } from "@repayproof/verifier";
import { FIXTURE_DIR, type GoldenChain } from "./goldenChain";
import { TAMPERS } from "./tamperTable";

/** Names of the committed golden bundles (test/fixtures/bundles/valid/<name>.json). */
export const GOLDEN_NAMES = ["settled", "due-no-ack", "contract-attester"] as const;

export const validFile = (name: string): string => path.join(FIXTURE_DIR, "valid", `${name}.json`);
export const tamperedFile = (name: string): string => path.join(FIXTURE_DIR, "tampered", `${name}.json`);

/** The committed golden bundles, as JSON. */
export function readGolden(): Record<string, ReceiptBundleJson> {
  const out: Record<string, ReceiptBundleJson> = {};
  for (const name of GOLDEN_NAMES)
    out[name] = JSON.parse(fs.readFileSync(validFile(name), "utf8")) as ReceiptBundleJson;
  return out;
}

/**
 * Rewrites every fixture file from a freshly built golden chain: the golden bundles and each file-backed
 * tamper variant. Only when UPDATE_FIXTURES=1; the tests otherwise compare against the committed files.
 */
export function writeFixtures(chain: GoldenChain): void {
  fs.mkdirSync(path.join(FIXTURE_DIR, "valid"), { recursive: true });
  fs.mkdirSync(path.join(FIXTURE_DIR, "tampered"), { recursive: true });
  for (const [name, bundle] of Object.entries(chain.bundles)) {
    fs.writeFileSync(validFile(name), JSON.stringify(bundle, null, 2) + "\n");
  }
  for (const t of TAMPERS) {
    if (t.confirmations !== undefined) continue;
    const base = chain.bundles[t.base];
    if (base === undefined) throw new Error(`tamper ${t.name}: no golden bundle ${t.base}`);
    fs.writeFileSync(tamperedFile(t.name), JSON.stringify(t.tamper(base, chain.bundles), null, 2) + "\n");
  }
}
