import { InvalidArgumentError } from "../errors";
import { checksumAddress, isAddress, toHex } from "../formats/hex";
import { keccakBackend, secp256k1Backend } from "./cryptoBackends";

// The package's entry points (core.ts) export this module: the backend choice and the engine beside
// recoverAddress travel with it.
export { signedBy } from "./signedBy";
export {
  cryptoBackends,
  useCryptoBackends,
  loadAccelerators,
  secp256k1Backend,
  keccakBackend,
  nobleSecp256k1,
  loadNativeSecp256k1,
  jsKeccak,
  loadWasmKeccak,
  type Secp256k1Backend,
  type KeccakBackend,
} from "./cryptoBackends";

// Half the curve order: OpenZeppelin's ECDSA (and so the contracts) refuse s above it (malleable).
const HALF_N = BigInt("0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0");
const SIGNATURE = /^0x[0-9a-fA-F]{130}$/;

function badSignature(message: string): never {
  throw new InvalidArgumentError("INVALID_SIGNATURE_FORMAT", message, "signature");
}

/**
 * Recovers the signer address (checksummed) of a 65-byte `r ‖ s ‖ v` signature over a 32-byte digest, on
 * the secp256k1 backend in use (./cryptoBackends). Accepts exactly what OpenZeppelin `ECDSA.recover`
 * accepts on chain: v of 27 or 28, s in the lower half of the order; anything else throws
 * INVALID_SIGNATURE_FORMAT. (./signedBy is the same rule without strings, for hot loops.)
 */
export function recoverAddress(digest: Uint8Array, signature: string): string {
  if (typeof signature !== "string" || !SIGNATURE.test(signature)) {
    badSignature("signature: expected 0x followed by 130 hex digits (r, s, v)");
  }
  const sig = Buffer.from(signature.slice(2), "hex");
  const v = sig[64] as number;
  if (v !== 27 && v !== 28) badSignature("signature: v must be 27 or 28");
  if (BigInt("0x" + sig.subarray(32, 64).toString("hex")) > HALF_N) badSignature("signature: s is malleable");
  const pub = secp256k1Backend().recover(digest, sig.subarray(0, 64), v - 27);
  if (!pub) badSignature("signature: not a point on the curve");
  return checksumAddress(toHex(keccakBackend().keccak256(pub.subarray(1)).subarray(12)));
}

/** Signs a 32-byte digest with a private key; returns the 65-byte `r ‖ s ‖ v` (v 27/28) as 0x-hex. */
export function signDigest(privateKey: Uint8Array, digest: Uint8Array): string {
  const { rs, recid } = secp256k1Backend().sign(privateKey, digest);
  const out = Buffer.alloc(65);
  out.set(rs, 0);
  out[64] = 27 + recid;
  return toHex(out);
}

/** Whether `a` and `b` are the same address, whatever their case. */
export function sameAddress(a: string, b: string): boolean {
  return isAddress(a) && isAddress(b) && a.toLowerCase() === b.toLowerCase();
}
