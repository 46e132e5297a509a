import { jsKeccak, loadWasmKeccak, type KeccakBackend } from "./keccakBackend";
import type { Secp256k1Backend } from "./secp256k1Backend";
import { loadNativeSecp256k1 } from "./secp256k1Native";
import { nobleSecp256k1 } from "./secp256k1Noble";

/**
 * Which implementations the crypto of this package runs on. Pure JavaScript by default (@noble/curves,
 * js-sha3); accelerators replace them when available: libsecp256k1 (the optional native `secp256k1`
 * package) at load, hash-wasm's WebAssembly keccak once {@link loadAccelerators} has resolved. Every
 * backend gives the same answers (test/verifier/crypto property tests), so the choice changes speed only.
 * `REPAYPROOF_CRYPTO=js` in the environment keeps the pure-JavaScript ones (to check them in place).
 */
interface Active {
  secp256k1: Secp256k1Backend;
  keccak: KeccakBackend;
}

const pureJs = typeof process !== "undefined" && process.env?.REPAYPROOF_CRYPTO === "js";
const active: Active = { secp256k1: (pureJs ? undefined : loadNativeSecp256k1()) ?? nobleSecp256k1, keccak: jsKeccak };
let loading: Promise<void> | undefined;

/** The secp256k1 backend in use. */
export function secp256k1Backend(): Secp256k1Backend {
  return active.secp256k1;
}

/** The keccak backend in use. */
export function keccakBackend(): KeccakBackend {
  return active.keccak;
}

/** Switches to the accelerators that load asynchronously (WebAssembly keccak); never rejects. */
export function loadAccelerators(): Promise<void> {
  loading ??= pureJs
    ? Promise.resolve()
    : loadWasmKeccak().then(
        (k) => {
          active.keccak = k;
        },
        () => undefined, // no WebAssembly here: js-sha3 stays
      );
  return loading;
}

/** The names of the backends in use (the CLI's `--version`, benchmark reports). */
export function cryptoBackends(): { secp256k1: string; keccak: string } {
  return { secp256k1: active.secp256k1.name, keccak: active.keccak.name };
}

/**
 * Runs on the given backends from now on (tests comparing backends, benchmarks); returns a function that
 * restores the previous ones.
 */
export function useCryptoBackends(choice: Partial<Active>): () => void {
  const before = { ...active };
  if (choice.secp256k1) active.secp256k1 = choice.secp256k1;
  if (choice.keccak) active.keccak = choice.keccak;
  return () => {
    active.secp256k1 = before.secp256k1;
    active.keccak = before.keccak;
  };
}

export { jsKeccak, loadWasmKeccak, loadNativeSecp256k1, nobleSecp256k1 };
export type { KeccakBackend, Secp256k1Backend };
