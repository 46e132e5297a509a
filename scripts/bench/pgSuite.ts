import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Contract, hexlify, JsonRpcProvider, randomBytes, Wallet, type InterfaceAbi } from "ethers";
import pg from "pg";
import { deployContracts, readArtifact } from "../lib/deployContracts";
import { startPgCluster, type PgCluster } from "../devnet";
import { blast, CLIENTS, ITEMS } from "./ingestSuite";
import { registerAgreement, signedBodies, type LoadAgreement } from "./loadGenerator";
import { figure, ratioRuns, seconds, settle } from "./measure";
import { log, type BenchOptions } from "./options";
import { benchServiceEnv, startHardhatNode, startServiceProcess, type Child } from "./processes";
import type { Row } from "./report";

const HARDHAT_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/** Hardhat's account #2: the second PostgreSQL instance's operator (#1 is the relay's dev key). */
const HARDHAT_KEY_2 = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

const notMeasured = (why: string): Row[] => [
  { suite: "postgres", size: "—", ours: { label: "—" }, reference: { label: "—" }, notMeasured: why },
];

/** Posts until `url` knows the agreement (an instance learns it from the registry's events). */
async function knows(url: string, a: LoadAgreement, d: Parameters<typeof signedBodies>[1]): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await blast(url, [signedBodies(a, d, 1, 10)[0]!.body]);
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

async function dbBytes(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ n: string }>("SELECT pg_database_size(current_database()) AS n");
    return Number(rows[0]!.n);
  } finally {
    await c.end();
  }
}

/**
 * PostgreSQL against LevelDB in the same run: ingest (LevelDB and PostgreSQL services side by side on one
 * Hardhat node, runs interleaved), two instances on one database against one, restart to listening, and
 * the database's bytes per stored receipt. Without a PostgreSQL server, one row says why.
 */
export async function pgSuite(opts: BenchOptions): Promise<Row[]> {
  const cluster: PgCluster | string = await startPgCluster();
  if (typeof cluster === "string") return notMeasured(`no PostgreSQL server could start: ${cluster}`);
  const node = await startHardhatNode();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-bench-pg-"));
  const children: Child[] = [];
  try {
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    const admin = new Wallet(HARDHAT_KEY_0, provider);
    const d = await deployContracts(admin);
    const anchor = new Contract(d.anchor, readArtifact("ReceiptAnchor").abi as InterfaceAbi, admin);
    const role = (await anchor.getFunction("ANCHORER_ROLE")()) as string;
    await (await anchor.getFunction("grantRole")(role, new Wallet(HARDHAT_KEY_2).address)).wait();
    provider.destroy();
    const databaseUrl = await cluster.createDatabase("bench");
    const env = benchServiceEnv(node.url, d, { BATCH_INTERVAL_MS: "2000" });
    // The LevelDB service and PostgreSQL instance A anchor as #0, each in a stream of its own.
    const levelEnv = { ...env, DATA_DIR: dataDir, STREAM: hexlify(randomBytes(32)) };
    const pgEnv = { ...env, DATABASE_URL: databaseUrl, STREAM: hexlify(randomBytes(32)) };
    const start = async (e: NodeJS.ProcessEnv): Promise<Child> => {
      const c = await startServiceProcess(e);
      children.push(c);
      return c;
    };
    const level = await start(levelEnv);
    let pgA = await start(pgEnv);
    const pgB = await start({ ...env, DATABASE_URL: databaseUrl, OPERATOR_KEY: HARDHAT_KEY_2 });
    const a = await registerAgreement(level.url, d);
    let pgStored = (await knows(pgA.url, a, d)) + (await knows(pgB.url, a, d));
    let levelStored = await knows(level.url, a, d);
    const perRun = opts.quick ? CLIENTS : CLIENTS * 5;
    const levelRates: number[] = [];
    const pgRates: number[] = [];
    const twoRates: number[] = [];
    const bytes0 = await dbBytes(databaseUrl);
    let pgStoredSince0 = 0;
    for (let r = 0; r < opts.runs; r++) {
      const timed = async (send: (bodies: string[]) => Promise<number>): Promise<number> => {
        const bodies = signedBodies(a, d, perRun, ITEMS).map((b) => b.body);
        await settle();
        let n = 0;
        const t = await seconds(async () => (n = await send(bodies)));
        return n / t;
      };
      levelRates.push(await timed((b) => blast(level.url, b)));
      pgRates.push(await timed((b) => blast(pgA.url, b)));
      const half = perRun / 2;
      twoRates.push(
        await timed(async (b) =>
          (await Promise.all([blast(pgA.url, b.slice(0, half)), blast(pgB.url, b.slice(half))])).reduce(
            (x, y) => x + y,
          ),
        ),
      );
      pgStoredSince0 += 2 * perRun * ITEMS;
      pgStored += 2 * perRun * ITEMS;
      levelStored += perRun * ITEMS;
      log(
        `postgres run ${r + 1}: LevelDB ${levelRates.at(-1)!.toFixed(0)}/s, PostgreSQL ${pgRates.at(-1)!.toFixed(0)}/s, two instances ${twoRates.at(-1)!.toFixed(0)}/s`,
      );
    }
    const perReceipt = ((await dbBytes(databaseUrl)) - bytes0) / pgStoredSince0;
    // Restart: a new process to listening, PostgreSQL instance A against the LevelDB service.
    const pgRestart: number[] = [];
    const levelRestart: number[] = [];
    let lvl = level;
    for (let r = 0; r < opts.runs; r++) {
      await pgA.stop();
      pgRestart.push(await seconds(async () => (pgA = await start(pgEnv))));
      await lvl.stop();
      levelRestart.push(await seconds(async () => (lvl = await start(levelEnv))));
    }
    const [lv, pgf, two] = [
      figure(levelRates, "receipts/s"),
      figure(pgRates, "receipts/s"),
      figure(twoRates, "receipts/s"),
    ];
    const size = `items of ${ITEMS}, ${CLIENTS} clients, ${perRun * ITEMS} receipts a run`;
    const restartSize = `${pgStored.toLocaleString("en-US")} receipts in PostgreSQL, ${levelStored.toLocaleString("en-US")} in LevelDB`;
    return [
      {
        suite: "postgres ingest",
        size,
        ours: { label: "PostgreSQL store", figure: pgf },
        reference: { label: "LevelDB store", figure: lv },
        ratio: { runs: ratioRuns(pgf, lv), label: "× LevelDB" },
        goal: { text: "≥ 0.5 of LevelDB", target: 0.5, direction: "atLeast" },
        note: "two services as child processes on one Hardhat node (each its own stream), runs interleaved; PostgreSQL 15 on loopback in a throwaway cluster (fsync and synchronous_commit on), every Ack after its COMMIT",
      },
      {
        suite: "postgres: two instances",
        size,
        ours: { label: "two instances, half the requests each", figure: two },
        reference: { label: "one instance", figure: pgf },
        ratio: { runs: ratioRuns(two, pgf), label: "× one instance" },
        note: `two service processes (own operator and stream) on one database; on these ${os.cpus().length} shared cores both instances, the database, the Hardhat node and the load generator compete for the same CPU, so this shows the cost of sharing, not scale-out`,
      },
      {
        suite: "postgres restart",
        size: restartSize,
        ours: { label: "PostgreSQL: process start → listening", figure: figure(pgRestart, "s") },
        reference: { label: "LevelDB: the same", figure: figure(levelRestart, "s") },
        ratio: { runs: ratioRuns(figure(pgRestart, "s"), figure(levelRestart, "s")), label: "× LevelDB" },
        note: "a new service process each time (node boot and chain checks counted, both sides); migrations already applied",
      },
      {
        suite: "postgres disk per stored receipt",
        size: `${pgStoredSince0.toLocaleString("en-US")} receipts`,
        ours: { label: "pg_database_size growth / receipt", figure: figure([perReceipt], "B") },
        reference: { label: "—" },
        note: "tables and indexes of the database (WAL not counted: it is recycled); LevelDB's figure is the service suite's disk row",
      },
    ];
  } finally {
    for (const c of children) await c.stop().catch(() => undefined);
    await node.stop();
    cluster.remove();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
