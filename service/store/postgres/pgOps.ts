import type { LostNonce, NonceRef, Redo, WriteOp } from "../Store";
import { PgStoreError } from "./PgStoreError";
import { encodeStateNode } from "../stateNodeCodec";

/** A table the ops write: its key columns (the primary key) and value columns, with their SQL types. */
type Column = readonly [name: string, type: "text" | "bigint"];
interface Table {
  name: string;
  keys: readonly Column[];
  values: readonly Column[];
}

const t = (name: string, keys: Table["keys"], values: Table["values"]): Table => ({ name, keys, values });
const S: Column = ["stream", "text"];

/** The tables of service/store/postgres/migrations.ts, by op type. */
export const TABLES = {
  receipt: t("rp_receipts", [["digest", "text"]], [["record", "text"]]),
  nonce: t(
    "rp_nonces",
    [
      ["attester", "text"],
      ["nonce", "text"],
    ],
    [["digest", "text"]],
  ),
  loanReceipt: t(
    "rp_loan_receipts",
    [
      ["loan_id", "text"],
      ["digest", "text"],
    ],
    [],
  ),
  agreementLoan: t(
    "rp_agreement_loans",
    [
      ["agreement_id", "text"],
      ["loan_id", "text"],
    ],
    [],
  ),
  ackGroup: t("rp_ack_groups", [["root", "text"]], [["record", "text"]]),
  pending: t("rp_pending", [S, ["key", "bigint"]], [["entry", "text"]]),
  batch: t(
    "rp_batches",
    [S, ["seq", "bigint"]],
    [
      ["state", "text"],
      ["anchored_at", "bigint"],
      ["record", "text"],
    ],
  ),
  leaves: t("rp_leaves", [S, ["seq", "bigint"]], [["record", "text"]]),
  batchOf: t("rp_batch_of", [S, ["digest", "text"]], [["seq", "bigint"]]),
  terms: t("rp_terms", [["agreement_id", "text"]], [["record", "text"]]),
  meta: t("rp_meta", [S, ["name", "text"]], [["value", "text"]]),
  shareRevoked: t("rp_revoked_shares", [["digest", "text"]], [["at", "bigint"]]),
  loanStats: t("rp_loan_stats", [S, ["agreement_id", "text"], ["loan_id", "text"]], [["record", "text"]]),
  statsFact: t(
    "rp_stats_facts",
    [
      S,
      ["agreement_id", "text"],
      ["at", "bigint"],
      ["loan_id", "text"],
      ["installment", "bigint"],
      ["stage", "bigint"],
    ],
    [["record", "text"]],
  ),
  statsDay: t("rp_stats_days", [S, ["agreement_id", "text"], ["day", "bigint"]], [["record", "text"]]),
  stateNode: t("rp_state_nodes", [S, ["path", "text"]], [["record", "text"]]),
  stateUndo: t("rp_state_undo", [S, ["seq", "bigint"], ["path", "text"]], [["record", "text"]]),
} satisfies Record<string, Table>;
type TableName = keyof typeof TABLES;

type Cell = string | null;
/** One op as a row: its table, key cells, and value cells (undefined: delete the row). */
type Row = [table: TableName, key: Cell[], value: Cell[] | undefined];

const low = (s: string): string => s.toLowerCase();
const json = (v: unknown): string => {
  const s = JSON.stringify(v);
  if (s === undefined) throw new TypeError("a store value must be JSON");
  return s;
};

/** The row one op writes (`stream`: this instance's, for per-stream records). Throws for a value JSON cannot hold. */
function rowOf(op: WriteOp, stream: string): Row {
  switch (op.type) {
    case "receipt":
      return ["receipt", [op.digest], [op.record]];
    case "nonce":
      return ["nonce", [low(op.attester), op.nonce], [op.digest]];
    case "loanReceipt":
      return ["loanReceipt", [low(op.loanId), op.digest], []];
    case "agreementLoan":
      return ["agreementLoan", [low(op.agreementId), low(op.loanId)], []];
    case "ackGroup":
      return ["ackGroup", [op.group.root], [json(op.group)]];
    case "pending":
      return ["pending", [stream, String(op.key)], [op.entry]];
    case "pendingDone":
      return ["pending", [stream, String(op.key)], undefined];
    case "batch": {
      const at = op.batch.anchoredAt === undefined ? null : String(op.batch.anchoredAt);
      return ["batch", [stream, String(op.batch.seq)], [op.batch.state, at, json(op.batch)]];
    }
    case "leaves":
      return ["leaves", [stream, String(op.seq)], [json(op.leaves)]];
    case "batchOf":
      return ["batchOf", [stream, op.digest], [String(op.seq)]];
    case "terms":
      return ["terms", [low(op.agreementId)], [json(op.versions)]];
    case "meta":
      return ["meta", [stream, op.name], [json(op.value)]];
    case "shareRevoked":
      return ["shareRevoked", [low(op.digest)], [String(op.at)]];
    case "loanStats":
      return ["loanStats", [stream, low(op.agreementId), low(op.loanId)], op.stats ? [json(op.stats)] : undefined];
    case "statsFact": {
      const f = op.fact;
      const key = [stream, low(op.agreementId), String(f.at), low(f.loanId), String(f.installment), String(f.stage)];
      return ["statsFact", key, op.remove ? undefined : [json(f)]];
    }
    case "statsDay":
      return ["statsDay", [stream, low(op.agreementId), String(op.day)], op.rollup ? [json(op.rollup)] : undefined];
    case "stateNode":
      return ["stateNode", [stream, op.path], [encodeStateNode(op.node)]];
    case "stateUndo":
      return ["stateUndo", [stream, String(op.seq), op.path], [op.node === null ? null : encodeStateNode(op.node)]];
  }
}

/** A statement and its parameters (each a column, passed as an array through `unnest`). */
export interface Statement {
  text: string;
  values: Cell[][];
}

const byKey = (a: [Cell[], unknown], b: [Cell[], unknown]): number => {
  const x = a[0].join("\u0000");
  const y = b[0].join("\u0000");
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * A write's rows as the database will end up holding them: per table and key, the last op wins (as in a
 * LevelDB batch). Rows are kept per {@link add}, so that one add can be replaced ({@link redo}) when another
 * instance took one of its nonces.
 */
export class RowSet {
  private readonly units: { rows: Row[]; redo: Redo | undefined }[] = [];
  size = 0;

  constructor(private readonly stream: string) {}

  /** Adds `ops` (all or, when one cannot be encoded, none of them); `redo` as in Store.ts StoreBatch.add. */
  add(ops: readonly WriteOp[], redo?: Redo): void {
    this.units.push({ rows: ops.map((op) => rowOf(op, this.stream)), redo });
    this.size += ops.length;
  }

  /** Per table and key, the last row written (keys sorted, so instances lock shared rows in one order). */
  private tables(): Map<TableName, [Cell[], Cell[] | undefined][]> {
    const tables = new Map<TableName, Map<string, [Cell[], Cell[] | undefined]>>();
    for (const { rows } of this.units) {
      for (const [table, key, value] of rows) {
        let m = tables.get(table);
        if (!m) tables.set(table, (m = new Map()));
        m.set(key.join("\u0000"), [key, value]);
      }
    }
    return new Map([...tables].map(([name, m]) => [name, [...m.values()].sort(byKey)]));
  }

  /** The nonces the write claims, in key order (./applyRows.ts inserts them before the {@link statements}). */
  nonces(): (NonceRef & { digest: string })[] {
    const rows = this.tables().get("nonce") ?? [];
    return rows.map(([[attester, nonce], v]) => ({ attester: attester!, nonce: nonce!, digest: v![0]! }));
  }

  /** Replaces each add that lost a nonce by its redo's ops; an add without a redo fails the write. */
  redo(lost: readonly LostNonce[]): void {
    const byPair = new Map(lost.map((l) => [`${l.attester}\u0000${l.nonce}`, l]));
    for (const unit of this.units) {
      const mine = unit.rows.flatMap(([t, k]) => (t === "nonce" ? [byPair.get(k.join("\u0000"))] : []));
      const its = mine.filter((l): l is LostNonce => l !== undefined);
      if (its.length === 0) continue;
      if (!unit.redo) throw new PgStoreError("STORE_NONCE_TAKEN", "another instance took a nonce this write claims");
      const ops = unit.redo(its);
      unit.rows = ops.map((op) => rowOf(op, this.stream));
      unit.redo = undefined;
    }
  }

  /**
   * The statements that apply the rows, nonces apart ({@link nonces}): per table one multi-row upsert and one
   * delete, each rows' columns passed as arrays through `unnest` (one round trip per table, whatever the
   * number of rows).
   */
  statements(): Statement[] {
    const out: Statement[] = [];
    for (const [name, rows] of this.tables()) {
      if (name === "nonce") continue;
      const table: Table = TABLES[name];
      const cols = [...table.keys, ...table.values];
      const puts = rows.filter(([, v]) => v !== undefined);
      const dels = rows.filter(([, v]) => v === undefined);
      const params = (n: number): string =>
        cols
          .slice(0, n)
          .map(([, ty], i) => `$${i + 1}::${ty}[]`)
          .join(", ");
      const keyList = table.keys.map(([c]) => c).join(", ");
      if (puts.length > 0) {
        const set = table.values.map(([c]) => `${c} = excluded.${c}`).join(", ");
        const conflict = ` ON CONFLICT (${keyList}) DO ${set === "" ? "NOTHING" : `UPDATE SET ${set}`}`;
        out.push({
          text: `INSERT INTO ${table.name} (${cols.map(([c]) => c).join(", ")}) SELECT * FROM unnest(${params(cols.length)})${conflict}`,
          values: cols.map((_, i) => puts.map(([k, v]) => (i < k.length ? k[i]! : v![i - k.length]!))),
        });
      }
      if (dels.length > 0) {
        out.push({
          text: `DELETE FROM ${table.name} WHERE (${keyList}) IN (SELECT * FROM unnest(${params(table.keys.length)}))`,
          values: table.keys.map((_, i) => dels.map(([k]) => k[i]!)),
        });
      }
    }
    return out;
  }
}
