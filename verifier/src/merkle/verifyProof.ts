import { InvalidArgumentError } from "../errors";
import { keccak256 } from "../crypto/keccak";
import { keccakBuffer } from "../crypto/keccakBuffer";
import { decodeBytes32, hex32, NOT_BYTES32 } from "./hexCodec";
import { referenceProcessProof } from "./referenceTree";

/**
 * Proof checking on the hot path (the verifier checks a proof per receipt): digest and proof elements are
 * decoded straight into the keccak I/O buffer, every hash is one call into WebAssembly. Inputs that are
 * not bytes32 go to the plain reference, so that both give the same answers and errors.
 */

const K = keccakBuffer();
const IO = K.bytes;
const IO_WORDS = K.words;
const ROOT = new Uint8Array(32);

/** The leaf of a digest: `keccak256(bytes.concat(keccak256(abi.encode(bytes32 digest))))`. */
export function leafHash(digest: Uint8Array): Buffer {
  if (digest.length !== 32) return keccak256(keccak256(digest));
  IO.set(digest);
  K.hash(32);
  K.hash(32);
  return Buffer.from(IO.subarray(0, 32));
}

/** Runs `proof` from the digest in the I/O buffer's first 32 bytes; leaves the root there. */
function accumulate(proof: readonly string[]): void {
  K.hash(32);
  K.hash(32);
  for (const p of proof) {
    // The accumulator sits in the buffer's first half; the element goes in the second, then they are ordered.
    if (decodeBytes32(p, IO, 32) & NOT_BYTES32) {
      throw new InvalidArgumentError("INVALID_PROOF", "proof elements must be bytes32");
    }
    for (let j = 0; j < 32; j++) {
      const d = (IO[j] as number) - (IO[32 + j] as number);
      if (d === 0) continue;
      if (d > 0) {
        for (let w = 0; w < 8; w++) {
          const t = IO_WORDS[w] as number;
          IO_WORDS[w] = IO_WORDS[8 + w] as number;
          IO_WORDS[8 + w] = t;
        }
      }
      break;
    }
    K.hash(64);
  }
}

/** The root `proof` leads to from `digest`'s leaf (proof elements 0x-hex bytes32). */
export function processProof(digest: string, proof: readonly string[]): string {
  if (decodeBytes32(digest, IO, 0) & NOT_BYTES32) return referenceProcessProof(digest, proof);
  accumulate(proof);
  return hex32(IO, 0);
}

/** Whether `proof` proves `digest` is a leaf of the tree with `root`. */
export function verifyProof(root: string, digest: string, proof: readonly string[]): boolean {
  if (decodeBytes32(root, ROOT, 0) & NOT_BYTES32 || decodeBytes32(digest, IO, 0) & NOT_BYTES32) {
    return processProof(digest, proof).toLowerCase() === root.toLowerCase();
  }
  accumulate(proof);
  for (let j = 0; j < 32; j++) if (IO[j] !== ROOT[j]) return false;
  return true;
}
