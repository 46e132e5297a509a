import fs from "node:fs";
import path from "node:path";
import { cryptoBackends, loadAccelerators } from "../crypto/cryptoBackends";
import { keccakBufferImplementation } from "../crypto/keccakBuffer";

/** This package's version, from its package.json (two folders up from both src/cli and dist/cli). */
export function packageVersion(): string {
  const file = path.join(__dirname, "..", "..", "package.json");
  const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "unknown";
}

/**
 * `repayproof --version`: the version and the crypto backends this process runs on — pure JavaScript by
 * default, libsecp256k1 and WebAssembly keccak when they load (they decide speed only, never an answer).
 */
export async function versionText(): Promise<string> {
  await loadAccelerators();
  const b = cryptoBackends();
  return [
    `repayproof ${packageVersion()} (@repayproof/verifier)`,
    `node ${process.versions.node}`,
    `secp256k1: ${b.secp256k1}`,
    `keccak: ${b.keccak}; merkle keccak: ${keccakBufferImplementation()}`,
  ].join("\n");
}
