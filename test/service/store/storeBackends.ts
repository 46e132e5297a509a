import path from "node:path";
import { projectRoot } from "../../../service/config";
import type { Store } from "../../../service/store/Store";
import { LevelStore } from "../../../service/store/leveldb/LevelStore";
import { PgStore } from "../../../service/store/postgres/PgStore";
import { startPgCluster, type PgCluster } from "../../../scripts/devnet";
import { tempDir, type TempDir } from "../../helpers/tempDir";

/** One store backend as the store suites use it: fresh stores, reopened stores, and a writer script's lines. */
export interface Backend {
  name: string;
  /** Starts what the backend needs; a string says why it cannot run here (the suite skips, saying so). */
  setup(): Promise<string | undefined>;
  teardown(): Promise<void>;
  /** A new, empty, opened store; `place` names it so {@link reopen} and a child process can find it again. */
  fresh(): Promise<{ store: Store; place: string }>;
  /** The store at `place`, opened anew (what was written must come back from disk, not from memory). */
  open(place: string): Promise<Store>;
  /** JavaScript that makes a `store` (unopened) at `place` from the built dist/ (for a child process). */
  constructInChild(place: string): string;
}

const dist = (...p: string[]): string => path.join(projectRoot(), "dist", "service", "store", ...p);

export function levelBackend(): Backend {
  let tmp: TempDir | undefined;
  let n = 0;
  return {
    name: "LevelStore (a real LevelDB in a temp dir)",
    async setup() {
      tmp = tempDir();
      return undefined;
    },
    async teardown() {
      tmp?.remove();
    },
    async fresh() {
      const place = path.join(tmp!.dir, `db${n++}`);
      return { store: await this.open(place), place };
    },
    async open(place) {
      const store = new LevelStore(place);
      await store.open();
      return store;
    },
    constructInChild: (place) =>
      `const { LevelStore } = require(${JSON.stringify(dist("leveldb", "LevelStore.js"))});\n` +
      `const store = new LevelStore(${JSON.stringify(place)});`,
  };
}

/** The stream the PostgreSQL store tests write their per-stream records under. */
const STREAM = "0x" + "5".repeat(64);

export function pgBackend(): Backend {
  let cluster: PgCluster | undefined;
  let n = 0;
  return {
    name: "PgStore (a throwaway PostgreSQL cluster on loopback)",
    async setup() {
      const c = await startPgCluster();
      if (typeof c === "string") return c;
      cluster = c;
      return undefined;
    },
    async teardown() {
      cluster?.remove();
    },
    async fresh() {
      const place = await cluster!.createDatabase(`store${n++}`);
      return { store: await this.open(place), place };
    },
    async open(place) {
      const store = new PgStore(place, { stream: STREAM, poolMax: 4 });
      await store.open();
      return store;
    },
    constructInChild: (place) =>
      `const { PgStore } = require(${JSON.stringify(dist("postgres", "PgStore.js"))});\n` +
      `const store = new PgStore(${JSON.stringify(place)}, { stream: ${JSON.stringify(STREAM)}, poolMax: 2 });`,
  };
}

/** Both backends: every store suite runs against each. */
export const BACKENDS = [levelBackend, pgBackend];

/**
 * `describe`s `suite` for each backend; where a backend cannot run, one line says why and its tests skip.
 */
export function describeEachBackend(title: string, suite: (b: () => Backend) => void): void {
  for (const make of BACKENDS) {
    const backend = make();
    describe(`${title}: ${backend.name}`, function () {
      this.timeout(60_000);
      before(async function () {
        const why = await backend.setup();
        if (why !== undefined) {
          console.log(`      skipped: ${why}`);
          this.skip();
        }
      });
      after(async function () {
        await backend.teardown();
      });
      suite(() => backend);
    });
  }
}
