import type { Logger } from "pino";
import type { Metrics } from "../metrics";
import type { FeeCapError } from "./fees";

/** What /healthz shows while the alert is raised. */
export interface FeeAlertState {
  since: number;
  seq: number;
  message: string;
  details: FeeCapError["details"];
}

/**
 * The alert of an anchor held at the fee cap: the fee its transaction needs (a new one, or a replacement of a
 * stuck one) is above MAX_FEE_GWEI, so the anchorer waits for fees to fall instead of bidding on. Raised on
 * three channels: the `repayproof_anchor_fee_capped` gauge (1), one `error` log line per episode
 * (`ALERT anchor held at the fee cap`), and `/healthz` (`feeCapped`, still 200: receipts are accepted and the
 * Acks' `anchorBy` makes the delay visible as ANCHOR_OVERDUE alerts). Cleared once a transaction goes out again.
 */
export class FeeAlert {
  state: FeeAlertState | undefined;

  constructor(
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  raise(seq: number, e: FeeCapError): void {
    if (!this.state) {
      this.log.error({ seq, ...e.details }, `ALERT anchor held at the fee cap (MAX_FEE_GWEI): ${e.message}`);
      this.state = { since: Date.now(), seq, message: e.message, details: e.details };
    }
    this.metrics.feeCapped.set(1);
  }

  clear(): void {
    if (!this.state) return;
    this.log.warn({ seq: this.state.seq, heldMs: Date.now() - this.state.since }, "fee cap alert cleared");
    this.state = undefined;
    this.metrics.feeCapped.set(0);
  }
}
