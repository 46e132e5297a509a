import { createKeccak } from "hash-wasm";
import { keccak256 as keccakJs } from "js-sha3";

/** One implementation of keccak-256 (Ethereum's: keccak padding, not SHA-3's), synchronous once loaded. */
export interface KeccakBackend {
  /** What it runs on, for reports and the CLI's `--version`. */
  readonly name: string;
  keccak256(data: Uint8Array): Uint8Array;
}

/** keccak-256 in pure JavaScript (js-sha3): the default, before and without WebAssembly. */
export const jsKeccak: KeccakBackend = {
  name: "js-sha3",
  keccak256: (data) => new Uint8Array(keccakJs.arrayBuffer(data)),
};

/**
 * hash-wasm's WebAssembly keccak (~4x js-sha3 on 64 bytes); rejects where WebAssembly cannot run. Its
 * digest is copied out of the module's memory, so callers may keep it.
 */
export async function loadWasmKeccak(): Promise<KeccakBackend> {
  const h = await createKeccak(256);
  return {
    name: "hash-wasm",
    keccak256(data) {
      h.init();
      h.update(data);
      return h.digest("binary");
    },
  };
}
