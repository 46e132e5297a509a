import fs from "node:fs";
import type { Logger } from "pino";
import { LevelStore } from "./leveldb/LevelStore";
import type { Store } from "./Store";
import type { ChainIdentity } from "./records";

/** A chain identity mismatch: DATA_DIR belongs to another chain or deployment. */
export class StaleDataError extends Error {
  override readonly name = "StaleDataError";
}

/**
 * Opens the store under `dataDir` for the chain and deployment `identity` names. A DATA_DIR of another
 * chain or deployment is never mixed with this one: it is refused (StaleDataError), or, with `moveStale`
 * (the embedded node, which forgets its chain when it stops), moved aside and started afresh.
 */
export async function openDataDir(
  dataDir: string,
  identity: ChainIdentity,
  moveStale: boolean,
  log: Logger,
): Promise<{ store: Store; staleMovedTo?: string }> {
  fs.mkdirSync(dataDir, { recursive: true });
  let store: Store = new LevelStore(dataDir);
  await store.open();
  const stored = await store.getIdentity();
  const same = stored !== undefined && JSON.stringify(stored) === JSON.stringify(identity);
  let staleMovedTo: string | undefined;
  if (stored && !same) {
    await store.close();
    const what = `DATA_DIR ${dataDir} belongs to chain ${stored.chainId}, anchor ${stored.anchor}, block ${stored.identityBlock} ${stored.identityHash}; the chain now is chain ${identity.chainId}, anchor ${identity.anchor}, block ${identity.identityBlock} ${identity.identityHash}`;
    if (!moveStale)
      throw new StaleDataError(`${what}. Refusing to mix them: point DATA_DIR elsewhere or at the right chain.`);
    staleMovedTo = `${dataDir}.stale-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    fs.renameSync(dataDir, staleMovedTo);
    log.warn(`${what}. The old data was moved aside to ${staleMovedTo}; starting fresh.`);
    fs.mkdirSync(dataDir, { recursive: true });
    store = new LevelStore(dataDir);
    await store.open();
  }
  if (!same) await store.write([{ type: "meta", name: "identity", value: identity }]);
  return staleMovedTo === undefined ? { store } : { store, staleMovedTo };
}
