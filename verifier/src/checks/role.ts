import type { Receipt } from "../formats/receipt";
import { failed, guard, passed, type Outcome } from "./checkLog";

/**
 * ROLE: the registry says the attester may sign this kind of receipt under the agreement version in force at
 * `occurredAt`. `authorized` is the `isAuthorized` read, started early with the other reads that need only
 * CHAIN so they travel in one JSON-RPC batch.
 */
export function checkRole(authorized: Promise<boolean>, r: Receipt): Promise<Outcome<"NOT_AUTHORIZED">> {
  return guard("NOT_AUTHORIZED", "receipt.attester", async () => {
    if (await authorized) return passed();
    const message = `${r.attester} may not sign kind ${r.kind} for agreement ${r.agreementId} at ${r.occurredAt}`;
    return failed("NOT_AUTHORIZED", message, "receipt.attester");
  });
}
