import type pg from "pg";
import type { SharedStreams, Store } from "../Store";

/** What {@link pgSharedStreams} reads through: the store's query (errors already mapped to store errors). */
interface Queryable {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/**
 * The other streams of a shared database (Store.shared), read from `rp_batch_of` (indexed by digest): where a
 * receipt was sealed, and a read-only store of that stream made by `view`. A digest is sealed in one stream
 * (the instance that accepted it queues it); should two rows exist, the lowest stream name is taken, so every
 * instance answers alike.
 */
export function pgSharedStreams(db: Queryable, view: (stream: string) => Store): SharedStreams {
  const streamsOf = async (digests: readonly string[]): Promise<(string | undefined)[]> => {
    if (digests.length === 0) return [];
    const sql = "SELECT digest, min(stream) AS stream FROM rp_batch_of WHERE digest = ANY($1::text[]) GROUP BY digest";
    const { rows } = await db.query<{ digest: string; stream: string }>(sql, [digests]);
    const by = new Map(rows.map((r) => [r.digest, r.stream]));
    return digests.map((d) => by.get(d));
  };
  return {
    streamOf: async (digest) => (await streamsOf([digest]))[0],
    streamsOf,
    view,
  };
}
