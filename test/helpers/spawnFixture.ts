import path from "node:path";
import { expect } from "chai";
import type { Terms } from "@repayproof/verifier";
import { projectRoot } from "../../service/config";
import { expectDocumented } from "./apiContract";
import type { Deployment } from "../../scripts/lib/deployContracts";
import {
  deployOn,
  getJson,
  postJson,
  runChild,
  spawnChild,
  startHardhatNode,
  startServiceProcess,
  type Exit,
  type Finished,
  type HardhatNode,
  type HardhatNodeOptions,
  type JsonResponse,
  type RunningChild,
  type ServiceProcess,
} from "../../scripts/devnet";
import { agreementBody, bearer, type Parties } from "./parties";
import { startTcpProxy, type TcpProxy } from "./tcpProxy";
import { tempDir } from "./tempDir";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
export type Json = any;

const ROOT = projectRoot();

/** The environment every child gets: nothing of this process's (no HARDHAT_NETWORK, no NODE_OPTIONS). */
export function baseEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
}

/** Env for a service child process (scripts/service.ts) against `rpcUrl` and deployment `d`. */
export function serviceEnv(
  rpcUrl: string,
  d: Deployment,
  dataDir: string,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return baseEnv({
    PORT: "0",
    HOST: "127.0.0.1",
    RPC_URL: rpcUrl,
    DATA_DIR: dataDir,
    REGISTRY_ADDRESS: d.registry,
    ANCHOR_ADDRESS: d.anchor,
    DEPLOYMENT_BLOCK: String(d.blockNumber),
    LOG_LEVEL: "warn",
    POLL_MS: "100",
    ...extra,
  });
}

export interface SpawnFixtureOptions {
  /** Service settings on top of {@link serviceEnv}'s (BATCH_INTERVAL_MS, WORKERS, …). */
  env?: Record<string, string>;
  /** A Hardhat node (default), with these options, or none (`npm start` runs its own). */
  node?: HardhatNodeOptions | false;
  /** Deploy the contracts on the node (default true). */
  deploy?: boolean;
  /** Start the service at once (default true); `start()` starts it later. */
  service?: boolean;
  /** A TCP proxy between the service and the node, so a test can cut the RPC (`proxy.cut()`). */
  proxy?: boolean;
}

/** What child-process tests stand on; `close()` stops everything it started and removes its files. */
export interface SpawnFixture {
  readonly node: HardhatNode;
  readonly d: Deployment;
  /** A temp directory for the test's files; the service's DATA_DIR is `dataDir`, inside it. */
  readonly dir: string;
  readonly dataDir: string;
  /** What the service uses as RPC_URL: the node's, or the proxy's. */
  readonly rpcUrl: string;
  readonly proxy: TcpProxy;
  /** The service's environment (`env` of {@link SpawnFixtureOptions} applied). */
  readonly env: NodeJS.ProcessEnv;
  /** The running service (the last one `start()` started). */
  readonly svc: ServiceProcess;
  readonly url: string;
  /** Starts the service (again: after a stop or a kill), with `extra` on top of its environment. */
  start(extra?: Record<string, string>): Promise<ServiceProcess>;
  /** Stops the service with `signal` (SIGTERM: a clean stop) and resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
  post(route: string, body: unknown, auth?: string): Promise<JsonResponse<Json>>;
  get(route: string, auth?: string): Promise<JsonResponse<Json>>;
  /** Registers `agreementId` for `parties` through `POST /v1/agreements` (platform's token), asserting 201. */
  register(parties: Parties, agreementId: string, version?: number, terms?: Terms): Promise<void>;
  /** Starts `node <args>` (a path relative to the repository), stopped at close if it still runs. */
  spawnNode(args: readonly string[], env?: NodeJS.ProcessEnv): RunningChild;
  /** Runs `node <args>` to its end. */
  runNode(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<Finished>;
  /** Runs `command args` (npm, …) to its end in the repository. */
  run(command: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<Finished>;
  close(): Promise<void>;
}

function missing(what: string): never {
  throw new Error(`this spawn fixture has no ${what}`);
}

/**
 * A real Hardhat node (own process group) with the contracts deployed, a temp directory, and the built
 * service as a child process (`node dist/scripts/service.js`), with HTTP helpers; every child it started is
 * stopped at `close()`, whatever the test did.
 */
export async function startSpawnFixture(opts: SpawnFixtureOptions = {}): Promise<SpawnFixture> {
  const tmp = tempDir();
  const children: RunningChild[] = [];
  let node: HardhatNode | undefined;
  let proxy: TcpProxy | undefined;
  let svc: ServiceProcess | undefined;
  let d: Deployment | undefined;
  const close = async (): Promise<void> => {
    await svc?.kill("SIGKILL");
    await Promise.all(children.map((c) => c.kill("SIGKILL")));
    await proxy?.close();
    await node?.stop();
    tmp.remove();
  };
  try {
    if (opts.node !== false) node = await startHardhatNode(opts.node ?? {});
    if (node && opts.deploy !== false) d = await deployOn(node.url);
    if (node && opts.proxy) proxy = await startTcpProxy(node.port);
    const rpcUrl = proxy ? `http://127.0.0.1:${proxy.port}` : (node?.url ?? "");
    const dataDir = path.join(tmp.dir, "data");
    const env = d ? serviceEnv(rpcUrl, d, dataDir, opts.env) : baseEnv(opts.env);
    const url = (): string => svc?.url ?? missing("service running");
    const f: SpawnFixture = {
      get node() {
        return node ?? missing("Hardhat node");
      },
      get d() {
        return d ?? missing("deployment");
      },
      dir: tmp.dir,
      dataDir,
      rpcUrl,
      get proxy() {
        return proxy ?? missing("proxy");
      },
      env,
      get svc() {
        return svc ?? missing("service running");
      },
      get url() {
        return url();
      },
      async start(extra = {}) {
        if (svc) throw new Error("the service is running: stop it before starting another");
        svc = await startServiceProcess({ ...env, ...extra });
        return svc;
      },
      async stop(signal = "SIGTERM") {
        const running = svc ?? missing("service running");
        svc = undefined;
        return running.kill(signal);
      },
      // Answers are JSON (getJson/postJson parse them) and checked against the OpenAPI document.
      post: async (route, body, auth) => documented("post", route, await postJson<Json>(url() + route, body, auth)),
      get: async (route, auth) => documented("get", route, await getJson<Json>(url() + route, auth)),
      async register(parties, agreementId, version = 1, terms) {
        const body = await agreementBody(f.d, parties, agreementId, version, terms);
        const res = await f.post("/v1/agreements", body, bearer(f.d, parties.platform));
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
      },
      spawnNode(args, childEnv = baseEnv()) {
        const c = spawnChild(process.execPath, args, { cwd: ROOT, env: childEnv });
        children.push(c);
        return c;
      },
      runNode: (args, childEnv = baseEnv()) => runChild(process.execPath, args, { cwd: ROOT, env: childEnv }),
      run: (command, args, childEnv = baseEnv()) => runChild(command, args, { cwd: ROOT, env: childEnv }),
      close,
    };
    if (d && opts.service !== false) await f.start();
    return f;
  } catch (e) {
    await close();
    throw e;
  }
}

/** `res`, once checked against the OpenAPI document (a drifted answer throws). */
function documented<T extends { status: number; body: unknown }>(method: string, route: string, res: T): T {
  expectDocumented(method, route, res.status, "application/json", res.body);
  return res;
}
