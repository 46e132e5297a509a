import type { LevelStore } from "./leveldb/LevelStore";
import type { PgStore } from "./postgres/PgStore";
import type { WriteOp } from "./Store";

/** Ops per transaction while copying (bounds what is held in memory and in one transaction). */
const CHUNK = 1000;

/** Why a copy was refused: codes are the API. */
export class CopyRefusedError extends Error {
  override readonly name = "CopyRefusedError";
  constructor(
    readonly code: "TARGET_NOT_EMPTY" | "SOURCE_EMPTY",
    message: string,
  ) {
    super(message);
  }
}

/**
 * Moves a LevelDB store into PostgreSQL under the target's stream (the stream the LevelDB instance anchored
 * in): every record but the stats index (derived: the service rebuilds it from the anchored batches), in
 * transactions of {@link CHUNK} ops. The identity goes last, so a copy that stopped half way is refused by
 * the service (no identity: it would claim the database afresh — so drop the database and copy again)
 * rather than served half-copied; a target whose stream already has an identity is refused.
 */
export async function copyToPostgres(
  from: LevelStore,
  to: PgStore,
  progress?: (ops: number) => void,
): Promise<{ ops: number; receipts: number }> {
  const source = await from.getIdentity();
  if (!source) throw new CopyRefusedError("SOURCE_EMPTY", "the LevelDB store has no chain identity: nothing to move");
  if (await to.getIdentity()) {
    throw new CopyRefusedError(
      "TARGET_NOT_EMPTY",
      `the database already holds stream ${to.stream}: copy into an empty one`,
    );
  }
  let chunk: WriteOp[] = [];
  let ops = 0;
  let receipts = 0;
  let identity: WriteOp | undefined;
  for await (const op of from.records()) {
    if (op.type === "meta" && op.name === "identity") {
      identity = op;
      continue;
    }
    if (op.type === "receipt") receipts++;
    chunk.push(op);
    if (chunk.length >= CHUNK) {
      await to.write(chunk);
      ops += chunk.length;
      chunk = [];
      progress?.(ops);
    }
  }
  await to.write(chunk);
  ops += chunk.length;
  await to.write([identity as WriteOp]);
  return { ops: ops + 1, receipts };
}
