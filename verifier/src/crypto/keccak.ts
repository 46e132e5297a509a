import { createKeccak, type IHasher } from "hash-wasm";
import { keccak256 as keccakJs } from "js-sha3";

/**
 * keccak-256 over bytes, synchronous. Runs on hash-wasm's WebAssembly keccak (~1.4M hashes/s of 64 bytes
 * here, ~4x js-sha3) once {@link keccakReady} has resolved, and on js-sha3 before that, so callers that
 * never await it are still correct, only slower. Every async entry point of this package awaits it.
 */
let wasm: IHasher | undefined;
let loading: Promise<void> | undefined;

export function keccakReady(): Promise<void> {
  loading ??= createKeccak(256).then((h) => {
    wasm = h;
  });
  return loading;
}

export function keccak256(data: Uint8Array): Buffer {
  if (wasm) {
    wasm.init();
    wasm.update(data);
    const out = wasm.digest("binary");
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  }
  return Buffer.from(keccakJs.arrayBuffer(data));
}

/** Name of the keccak implementation in use, for benchmark reports. */
export function keccakImplementation(): string {
  return wasm ? "hash-wasm" : "js-sha3";
}
