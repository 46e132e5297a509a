/**
 * Process helpers for a local chain and the built service, shared by the tests and the benchmarks: a Hardhat
 * node launcher, the deployment, the service as a child process, and small HTTP helpers.
 */
export {
  ChildExitedError,
  runChild,
  spawnChild,
  type ChildOptions,
  type Exit,
  type Finished,
  type RunningChild,
} from "./childProcess";
export { deployOn } from "./deployOn";
export { freePort } from "./freePort";
export { startHardhatNode, type HardhatNode, type HardhatNodeOptions } from "./hardhatNode";
export { getJson, postJson, type JsonResponse } from "./http";
export { startServiceProcess, type ServiceProcess, type ServiceProcessOptions } from "./serviceProcess";
export { findPgBin, startPgCluster, type PgCluster } from "./pgCluster";
