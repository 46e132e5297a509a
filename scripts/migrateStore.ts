/**
 * `node scripts/run.js migrateStore --from <DATA_DIR> --stream <0x…>` with DATABASE_URL set: moves a LevelDB
 * store into PostgreSQL (docs/operations.md, "Moving a LevelDB store into PostgreSQL"). Stop the service
 * first; start it afterwards with DATABASE_URL and the same operator key (so the same stream).
 */
import { LevelStore } from "../service/store/leveldb/LevelStore";
import { copyToPostgres } from "../service/store/copyToPostgres";
import { PgStore } from "../service/store/postgres/PgStore";
import { redactor, secretsOf } from "../service/secrets";

const scrub = redactor(secretsOf({ databaseUrl: process.env.DATABASE_URL }));

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const from = flag("from") ?? process.env.DATA_DIR;
  const stream = flag("stream") ?? process.env.STREAM;
  const url = process.env.DATABASE_URL;
  if (!from || !stream || !/^0x[0-9a-fA-F]{64}$/.test(stream) || !url) {
    throw Object.assign(
      new Error(
        "usage: DATABASE_URL=postgres://… migrateStore --from <DATA_DIR> --stream <0x + 64 hex: GET /v1/info's stream>",
      ),
      { code: "USAGE" },
    );
  }
  const level = new LevelStore(from);
  const pg = new PgStore(url, { stream });
  await level.open();
  try {
    await pg.open();
    const t0 = Date.now();
    const { ops, receipts } = await copyToPostgres(level, pg, (n) => process.stderr.write(`\r${n} records copied`));
    process.stdout.write(`\nmoved ${receipts} receipts (${ops} records) into PostgreSQL in ${Date.now() - t0} ms\n`);
  } finally {
    await level.close();
    await pg.close().catch(() => undefined);
  }
}

main().catch((e: Error & { code?: string }) => {
  process.stderr.write(`migrateStore failed${e.code ? ` (${e.code})` : ""}: ${scrub(e.message)}\n`);
  process.exitCode = 1;
});
