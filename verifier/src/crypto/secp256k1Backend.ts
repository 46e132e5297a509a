/**
 * One implementation of the secp256k1 operations the formats need, bytes in and bytes out. The verifier
 * runs on pure JavaScript (@noble/curves) by default and on libsecp256k1 when the optional native package
 * loads (./cryptoBackends chooses); property tests hold every backend to the same answers.
 */
export interface Secp256k1Backend {
  /** What it runs on, for reports and the CLI's `--version`. */
  readonly name: string;
  /**
   * The uncompressed public key (65 bytes: 0x04 ‖ x ‖ y) that signed the 32-byte `digest` with the compact
   * signature `rs` (64 bytes, r ‖ s) and recovery id `recid` (0 or 1); null when no key did (r or s zero or
   * not below the curve order, r not an x on the curve, the point at infinity). The result may be a buffer
   * the backend reuses: read it before the next call.
   */
  recover(digest: Uint8Array, rs: Uint8Array, recid: number): Uint8Array | null;
  /**
   * Deterministic ECDSA (RFC 6979, no extra entropy) with a low s: the compact signature (64 bytes) and its
   * recovery id. Throws when `privateKey` is not a valid key (zero, or not below the order).
   */
  sign(privateKey: Uint8Array, digest: Uint8Array): { rs: Uint8Array; recid: number };
}
