import { startPgCluster, type PgCluster } from "../../scripts/devnet";

/**
 * A throwaway PostgreSQL cluster for the test `ctx` runs in; where none can start here, the test says why in
 * one line and is skipped (this.skip() throws, so nothing after the call runs).
 */
export async function pgClusterOrSkip(ctx: Mocha.Context): Promise<PgCluster> {
  const c = await startPgCluster();
  if (typeof c === "string") {
    console.log(`      skipped: ${c}`);
    ctx.skip();
  }
  return c as PgCluster;
}
