/**
 * `npm run service`: the service alone against any EVM JSON-RPC (RPC_URL, OPERATOR_KEY, addresses from the
 * environment or deployments/<chainId>.json). A DATA_DIR of another chain makes it refuse to start.
 */
import { loadConfig } from "../service/config";
import { redactor, secretsOf } from "../service/secrets";
import { startService } from "../service/server";

/** Scrubs RPC_URL's secrets and the operator key from what this process prints outside its logger. */
const scrub = redactor(
  secretsOf({
    rpcUrl: process.env.RPC_URL,
    operatorKey: process.env.OPERATOR_KEY,
    databaseUrl: process.env.DATABASE_URL,
  }),
);

async function main(): Promise<void> {
  const config = loadConfig();
  const svc = await startService(config);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    svc.deps.log.info({ signal }, "stopping");
    svc.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(scrub(String((err as Error)?.stack ?? err)));
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  // Tests and supervisors read this line to learn the URL (PORT=0 picks a free port).
  process.stdout.write(JSON.stringify({ msg: "listening", url: svc.url }) + "\n");
}

main().catch((err: unknown) => {
  console.error(`repayproof service failed to start: ${scrub(String((err as Error)?.message ?? err))}`);
  process.exit(1);
});
