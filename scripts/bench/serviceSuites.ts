import type { Figure } from "./measure";
import type { Row } from "./report";

/**
 * The suites that need the running service (service/server.ts `startService`). They are listed as not
 * measured, with the reason, until a load generator against a real Hardhat node and the service exists:
 * an honest blank, never a made-up figure.
 */
export function serviceSuites(reason: string, rawRecovery?: Figure): Row[] {
  return [
    {
      suite: "ingest through HTTP, durable writes",
      size: "items of 500, 4 clients",
      ours: { label: "the running service, receipts/s" },
      reference: { label: "raw libsecp256k1 recovery, all cores", figure: rawRecovery },
      goal: { text: "≥ 0.4 of raw recovery", target: 0.4, direction: "atLeast" },
      notMeasured: reason,
    },
    {
      suite: "accepted → anchored",
      size: "steady 1,000 receipts/s",
      ours: { label: "p50 / p99" },
      reference: { label: "BATCH_INTERVAL_MS" },
      goal: { text: "p99 ≤ interval + 1 s", target: 1, direction: "atMost" },
      notMeasured: reason,
    },
    {
      suite: "restart",
      size: "1M stored receipts",
      ours: { label: "time to ready" },
      reference: { label: "time to read the same data once" },
      goal: { text: "≤ 0.1 (no full scan at start)", target: 0.1, direction: "atMost" },
      notMeasured: reason,
    },
    {
      suite: "disk per stored receipt",
      size: "—",
      ours: { label: "bytes on disk" },
      reference: { label: "raw receipt JSON" },
      goal: { text: "≤ 2×", target: 2, direction: "atMost" },
      notMeasured: reason,
    },
  ];
}
