import fs from "node:fs";
import path from "node:path";
import type { ReceiptBundleJson } from "@repayproof/verifier";
import { FIXTURE_DIR } from "./goldenChain";

/**
 * Where the committed fixtures live, and how the tests read them. The tests only read: the files are
 * (re)written by one explicit generator, test/fixtures/generate.ts (`npm run fixtures`).
 */

/** Names of the committed golden bundles (test/fixtures/bundles/valid/<name>.json). */
export const GOLDEN_NAMES = ["settled", "due-no-ack", "contract-attester", "settled-batch-ack"] as const;

export const validFile = (name: string): string => path.join(FIXTURE_DIR, "valid", `${name}.json`);
export const tamperedFile = (name: string): string => path.join(FIXTURE_DIR, "tampered", `${name}.json`);

/** The golden timeline (test/fixtures/timeline-bundles/golden.json). */
export const TIMELINE_FIXTURE = path.join(FIXTURE_DIR, "..", "timeline-bundles", "golden.json");
/** The evaluation golden fixture (test/fixtures/timeline/loan.json): an input and its expected evaluation. */
export const EVALUATION_FIXTURE = path.join(FIXTURE_DIR, "..", "timeline", "loan.json");

/** The committed golden bundles, as JSON. */
export function readGolden(): Record<string, ReceiptBundleJson> {
  const out: Record<string, ReceiptBundleJson> = {};
  for (const name of GOLDEN_NAMES)
    out[name] = JSON.parse(fs.readFileSync(validFile(name), "utf8")) as ReceiptBundleJson;
  return out;
}

/** The JSON text a fixture file holds for `value` (two-space indent, final newline), so rewrites are byte-stable. */
export const fixtureText = (value: unknown): string => JSON.stringify(value, null, 2) + "\n";
