import { Wallet } from "ethers";
import { KIND, ZERO_ADDRESS, type Terms } from "@repayproof/verifier";
import type { Deployment } from "../../../scripts/lib/deployContracts";
import { loanIdOf, makeReceipt, signReceipt, termsOf, type Parties } from "../../helpers/parties";

/** Short allowances, so gaps of up to 250 s make about half the stages late; backdated only past 10 days. */
export function statsTerms(p: Parties, channel2: Wallet): Terms {
  return {
    ...termsOf(p),
    guarantor: ZERO_ADDRESS,
    channels: [p.channel.address, channel2.address],
    graceSecs: 100,
    settleSecs: 100,
    forwardSecs: 100,
    confirmSecs: 100,
    reportSecs: 10 * 86_400,
  };
}

/**
 * `n` loans spread over the last five UTC days (so the figures come from whole days' totals and from stage
 * facts alike): stages late or not, some missing (open breaches), one skipped (closed by the next), two
 * channels, and loan 0 dated 11 days ago, so every receipt of it is backdated.
 */
export function statsLoans(
  d: Deployment,
  p: Parties,
  channel2: Wallet,
  agreementId: string,
  now: number,
  n: number,
  tag: string,
): { items: { receipt: unknown; signature: string }[]; loanIds: string[]; digests: Map<string, string> } {
  const items: { receipt: unknown; signature: string }[] = [];
  const digests = new Map<string, string>(); // `${loan}:${stage}` → digest
  const loanIds: string[] = [];
  for (let i = 0; i < n; i++) {
    const loanId = loanIdOf(`${tag}-${i}`);
    loanIds.push(loanId);
    const base = i === 0 ? now - 11 * 86_400 : now - (i % 5) * 86_400 - 3_600 - ((i * 997) % 20_000);
    const last = [4, 4, 2, 3, 0, 4, 1, 4][i % 8] as number;
    const channel = i % 2 === 0 ? p.channel : channel2;
    const signers = [p.platform, channel, channel, p.collector, p.funder];
    let t = base;
    for (let k = 0; k <= last; k++) {
      if (k > 0) t += (i * 37 + k * 53) % 250;
      if (k === 1 && i % 7 === 3) continue; // INITIATED never said: closed by SETTLED
      const signer = signers[k] as Wallet;
      const r = makeReceipt(agreementId, signer, KIND.DUE + k, { loanId, installment: 1 + (i % 2), occurredAt: t });
      const signed = signReceipt(d, r, signer);
      items.push(signed.item);
      digests.set(`${i}:${k}`, signed.digest);
    }
  }
  return { items, loanIds, digests };
}
