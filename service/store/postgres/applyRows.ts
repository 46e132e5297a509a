import type pg from "pg";
import type { LostNonce } from "../Store";
import type { RowSet } from "./pgOps";
import { PgStoreError } from "./PgStoreError";
import { inTransaction } from "./transaction";

const CLAIM =
  "INSERT INTO rp_nonces (attester, nonce, digest) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) " +
  "ON CONFLICT (attester, nonce) DO NOTHING RETURNING attester, nonce";
const OWNERS =
  "SELECT attester, nonce, digest FROM rp_nonces WHERE (attester, nonce) IN (SELECT * FROM unnest($1::text[], $2::text[]))";

const pair = (r: { attester: string; nonce: string }): string => `${r.attester}\u0000${r.nonce}`;

/**
 * Applies `rows` in one transaction on `client` (released after): the nonces first, inserted — never upserted,
 * so the primary key decides between instances — and those another instance holds are not inserted but
 * reported to their add's redo (RowSet.redo), whose ops replace that add's; then every other table, and
 * COMMIT. Plain SQL (ON CONFLICT DO NOTHING RETURNING): no advisory locks, no savepoints. A nonce insert
 * that meets another instance's uncommitted one waits for it, and the outcome decides: taken, or ours.
 */
export async function applyRows(client: pg.PoolClient, rows: RowSet): Promise<void> {
  await inTransaction(client, async (c) => {
    const claimed = rows.nonces();
    if (claimed.length > 0) {
      const attesters = claimed.map((r) => r.attester);
      const nonces = claimed.map((r) => r.nonce);
      const won = await c.query<{ attester: string; nonce: string }>(CLAIM, [
        attesters,
        nonces,
        claimed.map((r) => r.digest),
      ]);
      const ours = new Set(won.rows.map(pair));
      const lost = claimed.filter((r) => !ours.has(pair(r)));
      if (lost.length > 0) {
        const held = await c.query<{ attester: string; nonce: string; digest: string }>(OWNERS, [
          lost.map((r) => r.attester),
          lost.map((r) => r.nonce),
        ]);
        const owners = new Map(held.rows.map((r) => [pair(r), r.digest]));
        rows.redo(
          lost.map((r): LostNonce => {
            const owner = owners.get(pair(r));
            if (owner === undefined) throw new PgStoreError("STORE_NONCE_TAKEN", "a nonce was refused yet is not held");
            return { ...r, owner };
          }),
        );
      }
    }
    for (const s of rows.statements()) await c.query(s.text, s.values);
  });
}
