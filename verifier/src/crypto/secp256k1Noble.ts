import { secp256k1 } from "@noble/curves/secp256k1";
import type { Secp256k1Backend } from "./secp256k1Backend";

/** secp256k1 in pure JavaScript (@noble/curves, audited): the default, available everywhere, browsers too. */
export const nobleSecp256k1: Secp256k1Backend = {
  name: "@noble/curves",
  recover(digest, rs, recid) {
    try {
      const sig = secp256k1.Signature.fromCompact(rs).addRecoveryBit(recid);
      return sig.recoverPublicKey(digest).toRawBytes(false);
    } catch {
      return null;
    }
  },
  sign(privateKey, digest) {
    const sig = secp256k1.sign(digest, privateKey, { lowS: true });
    return { rs: sig.toCompactRawBytes(), recid: sig.recovery };
  },
};
