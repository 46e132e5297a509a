import path from "node:path";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-toolbox";
import "./tasks/verify";

/** The one compiler version; the `solc` npm package is pinned to it so compiling never downloads. */
export const SOLC_VERSION = "0.8.28";

// Hardhat would download the compiler; this machine (and CI) cannot. Use solc-js from node_modules.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper(args);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { version(): string };
  const longVersion = solc.version().replace(/\.Emscripten\.clang$/, "");
  if (!longVersion.startsWith(SOLC_VERSION)) {
    throw new Error(`the solc package is ${longVersion}, expected ${SOLC_VERSION}: run npm ci`);
  }
  return {
    compilerPath: path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion,
  };
});

const rpcAccounts = process.env.OPERATOR_KEY ? [process.env.OPERATOR_KEY] : [];

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      optimizer: { enabled: true, runs: 10_000 },
      // Paris: no PUSH0 or Cancun opcodes, so the same bytecode runs on permissioned and older chains.
      evmVersion: "paris",
    },
  },
  networks: {
    hardhat: { chainId: 31337 },
    localhost: { url: process.env.NODE_URL ?? "http://127.0.0.1:8545", chainId: 31337 },
    rpc: { url: process.env.RPC_URL ?? "http://127.0.0.1:8545", accounts: rpcAccounts },
  },
  gasReporter: { enabled: process.env.REPORT_GAS === "1", offline: true },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  mocha: {
    timeout: 120_000,
    // Every supertest answer of every test file is checked against the OpenAPI document (test/helpers/apiContract.ts).
    rootHooks: {
      beforeAll() {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require("./test/helpers/apiContract") as { installApiContractCheck(): void }).installApiContractCheck();
      },
    },
  },
};

export default config;
