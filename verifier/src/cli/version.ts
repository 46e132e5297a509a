import fs from "node:fs";
import path from "node:path";
import "secp256k1"; // the package whose backend secp256k1Implementation reports (the signature code loads it too)
import { keccakImplementation, keccakReady } from "../crypto/keccak";
import { keccakBufferImplementation } from "../crypto/keccakBuffer";

/** This package's version, from its package.json (two folders up from both src/cli and dist/cli). */
export function packageVersion(): string {
  const file = path.join(__dirname, "..", "..", "package.json");
  const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "unknown";
}

/**
 * Which secp256k1 the `secp256k1` package runs on: it loads its native binding (libsecp256k1) when one was
 * built or prebuilt for this platform, and falls back to the pure-JS `elliptic` otherwise. A binding that
 * failed to load leaves no entry in the module cache, so the cache tells which one is in use.
 */
export function secp256k1Implementation(): string {
  const bindings = require.resolve("secp256k1/bindings");
  return require.cache[bindings]?.loaded ? "libsecp256k1 (native)" : "elliptic (pure JS)";
}

/** `repayproof --version`: the version and the crypto backends this process runs on (they decide speed only). */
export async function versionText(): Promise<string> {
  await keccakReady();
  return [
    `repayproof ${packageVersion()} (@repayproof/verifier)`,
    `node ${process.versions.node}`,
    `keccak: ${keccakImplementation()}; merkle keccak: ${keccakBufferImplementation()}`,
    `secp256k1: ${secp256k1Implementation()}`,
  ].join("\n");
}
