import type { Secp256k1Backend } from "./secp256k1Backend";

/** The part of the `secp256k1` package's API used here. */
interface NativeSecp256k1 {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean, output?: Uint8Array): Uint8Array;
  ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
}

/**
 * libsecp256k1 through the optional `secp256k1` package's native addon (~40x @noble/curves for recovery),
 * or undefined when it is not installed or its addon does not load. Only the addon: the package's own
 * fallback (elliptic, pure JavaScript) would be slower than @noble/curves.
 */
export function loadNativeSecp256k1(): Secp256k1Backend | undefined {
  let lib: NativeSecp256k1;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    lib = require("secp256k1/bindings") as NativeSecp256k1;
  } catch {
    return undefined;
  }
  // One output buffer for every recovery: the interface lets a backend reuse it (no allocation per call).
  const out = new Uint8Array(65);
  return {
    name: "libsecp256k1",
    recover(digest, rs, recid) {
      try {
        return lib.ecdsaRecover(rs, recid, digest, false, out);
      } catch {
        return null;
      }
    },
    sign(privateKey, digest) {
      const { signature, recid } = lib.ecdsaSign(digest, privateKey);
      return { rs: signature, recid };
    },
  };
}
