import { InvalidArgumentError } from "../errors";
import { keccakBackend, secp256k1Backend } from "./cryptoBackends";

// Half the curve order, big-endian: s above it is malleable (OpenZeppelin ECDSA refuses it).
const HALF_N = Buffer.from("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0", "hex");
const HEX = /^0x[0-9a-fA-F]{130}$/;
// Scratch for one call (calls never interleave: JavaScript runs one at a time per thread).
const sig = Buffer.alloc(65);
const rs = sig.subarray(0, 64);

function badSignature(message: string): never {
  throw new InvalidArgumentError("INVALID_SIGNATURE_FORMAT", message, "signature");
}

/**
 * Whether the 0x-hex `r ‖ s ‖ v` signature over `digest` recovers to the 20-byte `address`: the rule of
 * ./signature's `recoverAddress` (same acceptance, same INVALID_SIGNATURE_FORMAT refusals, same messages)
 * compared on bytes, with no hex strings, checksums or BigInts in between and no allocation of its own —
 * the engine beside that reference for the service's ingest, proven equal by property tests.
 */
export function signedBy(digest: Uint8Array, signature: string, address: Uint8Array): boolean {
  if (typeof signature !== "string" || !HEX.test(signature)) {
    badSignature("signature: expected 0x followed by 130 hex digits (r, s, v)");
  }
  sig.write(signature.slice(2), 0, "hex");
  const v = sig[64] as number;
  if (v !== 27 && v !== 28) badSignature("signature: v must be 27 or 28");
  if (sig.compare(HALF_N, 0, 32, 32, 64) > 0) badSignature("signature: s is malleable");
  const pub = secp256k1Backend().recover(digest, rs, v - 27);
  if (!pub) badSignature("signature: not a point on the curve");
  const hash = keccakBackend().keccak256(pub.subarray(1));
  for (let i = 0; i < 20; i++) if (hash[12 + i] !== address[i]) return false;
  return true;
}
