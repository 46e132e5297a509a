import type { Logger } from "pino";
import type { Config } from "../config";
import { openDataDir, StaleDataError } from "./openDataDir";
import { PgStore } from "./postgres/PgStore";
import type { ChainIdentity } from "./records";
import type { Store } from "./Store";

/**
 * Opens the store the configuration names: PostgreSQL when DATABASE_URL is set (migrated to this release's
 * schema), else LevelDB under DATA_DIR (./openDataDir.ts). Either way a store of another chain or deployment
 * is refused (StaleDataError); only an embedded node's DATA_DIR is ever moved aside.
 */
export async function openStore(
  config: Pick<Config, "dataDir" | "databaseUrl" | "pgPoolMax" | "moveStaleData">,
  identity: ChainIdentity,
  stream: string,
  log: Logger,
): Promise<{ store: Store; staleMovedTo?: string }> {
  if (config.databaseUrl === undefined) return openDataDir(config.dataDir, identity, config.moveStaleData, log);
  const store = new PgStore(config.databaseUrl, { stream, poolMax: config.pgPoolMax });
  try {
    await store.open();
    const stored = await store.getIdentity();
    if (stored && JSON.stringify(stored) !== JSON.stringify(identity)) {
      throw new StaleDataError(
        `the database (DATABASE_URL) belongs to chain ${stored.chainId}, anchor ${stored.anchor}, block ${stored.identityBlock} ${stored.identityHash}; the chain now is chain ${identity.chainId}, anchor ${identity.anchor}, block ${identity.identityBlock} ${identity.identityHash}. Refusing to mix them.`,
      );
    }
    if (!stored) await store.write([{ type: "meta", name: "identity", value: identity }]);
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
  return { store };
}
