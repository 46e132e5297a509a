import fs from "node:fs";
import path from "node:path";
import { keccak256 as keccakJs } from "js-sha3";
import { keccak256 } from "./keccak";

/**
 * A synchronous, allocation-free keccak-256 for hot loops (the merkle tree): hash-wasm's own WebAssembly
 * keccak, instantiated here so that one hash is one call into WebAssembly over its fixed I/O buffer
 * (`Hash_Calculate`), without hash-wasm's per-call wrapping and output copy (~1.4x its `IHasher`).
 * hash-wasm does not export the module, so it is read from the package's bundle, and checked against
 * js-sha3 before use; when that fails, the same interface runs on {@link keccak256} from ./keccak.
 */
export interface KeccakBuffer {
  /** The I/O buffer as bytes (at least 128): input in, digest out in its first 32 bytes. */
  readonly bytes: Uint8Array;
  /** The same buffer as 32-bit words, for copying nodes in and out a word at a time. */
  readonly words: Int32Array;
  /** Replaces the first 32 bytes of the buffer with the keccak-256 of its first `length` bytes. */
  hash(length: number): void;
}

// The WebAssembly global, typed by hand: the project's `lib` (ES2022, no DOM) does not declare it.
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const WASM = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

interface Exports {
  memory: { buffer: ArrayBuffer };
  Hash_GetBuffer(): number;
  Hash_Calculate(length: number, bits: number, padding: number): void;
}

let cached: KeccakBuffer | undefined;
let implementation = "";

function load(): KeccakBuffer | null {
  const dir = path.dirname(require.resolve("hash-wasm/package.json"));
  const bundle = fs.readFileSync(path.join(dir, "dist", "keccak.umd.min.js"), "utf8");
  const match = /name:"sha3",data:"([A-Za-z0-9+/=]+)"/.exec(bundle);
  if (!match) return null;
  const module = new WASM.Module(Buffer.from(match[1] as string, "base64"));
  const ex = new WASM.Instance(module, {}).exports as unknown as Exports;
  const offset = ex.Hash_GetBuffer();
  // hash-wasm's buffer is 16 KiB and memory never grows during Hash_Calculate, so the views stay valid.
  const bytes = new Uint8Array(ex.memory.buffer, offset, 128);
  const words = new Int32Array(ex.memory.buffer, offset, 32);
  const calculate = ex.Hash_Calculate;
  // 0x01 is keccak's padding (SHA-3 uses 0x06): this is Ethereum's keccak-256.
  const k: KeccakBuffer = {
    bytes,
    words,
    hash: (length) => calculate(length, 256, 0x01),
  };
  for (const len of [0, 32, 64, 97]) {
    const input = Buffer.alloc(len);
    for (let i = 0; i < len; i++) input[i] = (i * 37 + len) & 0xff;
    bytes.set(input);
    k.hash(len);
    if (Buffer.from(bytes.subarray(0, 32)).toString("hex") !== keccakJs(input)) return null;
  }
  return k;
}

/** The same interface over ./keccak, for when the WebAssembly module cannot be loaded. */
function fallback(): KeccakBuffer {
  const buffer = new ArrayBuffer(128);
  const bytes = new Uint8Array(buffer);
  return {
    bytes,
    words: new Int32Array(buffer),
    hash: (length) => bytes.set(keccak256(bytes.subarray(0, length))),
  };
}

/** The process's keccak buffer: WebAssembly when its bundle loads and passes its self-test, else ./keccak. */
export function keccakBuffer(): KeccakBuffer {
  if (cached === undefined) {
    let k: KeccakBuffer | null;
    try {
      k = load();
    } catch {
      k = null;
    }
    implementation = k ? "hash-wasm, direct" : "./keccak (fallback)";
    cached = k ?? fallback();
  }
  return cached;
}

/** Which implementation {@link keccakBuffer} runs on, for benchmark reports. */
export function keccakBufferImplementation(): string {
  keccakBuffer();
  return implementation;
}
