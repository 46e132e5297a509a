import type { StateNode } from "../records";
import type { StateUndoRef } from "../Store";
import { decodeStateNode } from "../stateNodeCodec";
import type { Queryable } from "./pgScans";

/** Nodes of `stream`'s loan state tree at `paths`, read in one query, in the order asked (undefined where none). */
export async function readStateNodes(
  db: Queryable,
  stream: string,
  paths: readonly string[],
): Promise<(StateNode | undefined)[]> {
  if (paths.length === 0) return [];
  const sql = "SELECT path, record FROM rp_state_nodes WHERE stream = $1 AND path = ANY($2::text[])";
  const { rows } = await db.query<{ path: string; record: string }>(sql, [stream, paths]);
  const by = new Map(rows.map((r) => [r.path, r.record]));
  return paths.map((p) => {
    const v = by.get(p);
    return v === undefined ? undefined : decodeStateNode(v);
  });
}

/** What batches overwrote (Store.stateUndo): one query for every (seq, path) asked, in the order asked. */
export async function readStateUndo(
  db: Queryable,
  stream: string,
  refs: readonly StateUndoRef[],
): Promise<(StateNode | null | undefined)[]> {
  if (refs.length === 0) return [];
  const sql =
    "SELECT seq, path, record FROM rp_state_undo WHERE stream = $1 AND (seq, path) IN " +
    "(SELECT * FROM unnest($2::bigint[], $3::text[]))";
  const params = [stream, refs.map((r) => r.seq), refs.map((r) => r.path)];
  const { rows } = await db.query<{ seq: string; path: string; record: string | null }>(sql, params);
  const by = new Map(rows.map((r) => [`${r.seq}:${r.path}`, r.record]));
  return refs.map((r) => {
    const v = by.get(`${r.seq}:${r.path}`);
    return v === undefined ? undefined : v === null ? null : decodeStateNode(v);
  });
}
