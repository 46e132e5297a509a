import { keccakBackend, loadAccelerators } from "./cryptoBackends";

/**
 * keccak-256 over bytes, synchronous, on the keccak backend in use (./cryptoBackends): js-sha3 until
 * {@link keccakReady} has resolved, hash-wasm's WebAssembly keccak after (where it loads), so callers that
 * never await it are still correct, only slower. Every async entry point of this package awaits it.
 */
export function keccakReady(): Promise<void> {
  return loadAccelerators();
}

export function keccak256(data: Uint8Array): Buffer {
  const out = keccakBackend().keccak256(data);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** Name of the keccak implementation in use, for benchmark reports. */
export function keccakImplementation(): string {
  return keccakBackend().name;
}
