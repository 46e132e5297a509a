import { execFileSync } from "node:child_process";
import { expect } from "chai";
import fc from "fast-check";
import { secp256k1 as noble } from "@noble/curves/secp256k1";
import { keccak256 as sha3 } from "js-sha3";
import {
  cryptoBackends,
  isInvalidArgument,
  jsKeccak,
  keccak256,
  keccakReady,
  loadNativeSecp256k1,
  loadWasmKeccak,
  nobleSecp256k1,
  recoverAddress,
  signDigest,
  signedBy,
  toHex,
  useCryptoBackends,
  type KeccakBackend,
  type Secp256k1Backend,
} from "@repayproof/verifier";

/**
 * Every crypto backend gives the same answers: keccak (js-sha3, hash-wasm), secp256k1 (@noble/curves,
 * libsecp256k1 when the optional native package loads) for signing and recovery, and the public functions
 * (recoverAddress, signDigest, signedBy) on every combination — valid signatures and refused ones alike
 * (malformed, v not 27/28, high s, r or s out of range), refused with the same code and message.
 */

const N = BigInt("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
const RUNS = Number(process.env.FC_RUNS ?? 200);
const bytes = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n });
const validKey = bytes(32).filter((k) => {
  const x = BigInt(toHex(k));
  return x > 0n && x < N;
});
const hex32 = (x: bigint): string => x.toString(16).padStart(64, "0");

/** What a call gives: its value, or the code and message it throws (any other throw is kept as "other"). */
function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (e) {
    return isInvalidArgument(e) ? { code: e.code, message: e.message } : { threw: "other" };
  }
}

/** Signatures that must be refused, or accepted, identically: built from a genuine one. */
const signatureVariant = (genuine: string): fc.Arbitrary<string> => {
  const rs = genuine.slice(2, 130);
  const r = BigInt("0x" + rs.slice(0, 64));
  const s = BigInt("0x" + rs.slice(64));
  const v = parseInt(genuine.slice(130), 16);
  return fc.oneof(
    fc.constant(genuine),
    fc.constant(genuine.toUpperCase().replace("0X", "0x")),
    fc.integer({ min: 0, max: 255 }).map((vv) => `0x${rs}${vv.toString(16).padStart(2, "0")}`),
    fc.constant(`0x${hex32(r)}${hex32(N - s)}${(v ^ 1).toString(16)}`), // the high-s twin
    fc.constant(`0x${hex32(0n)}${hex32(s)}${v.toString(16)}`),
    fc.constant(`0x${hex32(N)}${hex32(s)}${v.toString(16)}`),
    fc.constant(`0x${hex32(r)}${hex32(0n)}${v.toString(16)}`),
    bytes(65).map((b) => toHex(b)),
    fc.string({ maxLength: 140 }),
    fc.constant(genuine.slice(0, -2)),
  );
};

describe("crypto backends", function () {
  const native = loadNativeSecp256k1();
  const secps: Secp256k1Backend[] = [nobleSecp256k1, ...(native ? [native] : [])];
  let keccaks: KeccakBackend[] = [jsKeccak];

  before(async function () {
    await keccakReady();
    keccaks = [jsKeccak, await loadWasmKeccak()];
  });

  /** Runs `f` once on every (secp256k1, keccak) combination and returns what each gave. */
  function onEvery(f: () => unknown): unknown[] {
    const out: unknown[] = [];
    for (const secp256k1 of secps) {
      for (const keccak of keccaks) {
        const restore = useCryptoBackends({ secp256k1, keccak });
        try {
          out.push(outcome(f));
        } finally {
          restore();
        }
      }
    }
    return out;
  }

  it("names the backends in use", function () {
    const names = cryptoBackends();
    expect(names.secp256k1).to.equal(native ? "libsecp256k1" : "@noble/curves");
    expect(names.keccak).to.equal("hash-wasm");
  });

  it("behavior: REPAYPROOF_CRYPTO=js keeps the pure-JavaScript backends", function () {
    const script = `const v = require("@repayproof/verifier");
      v.keccakReady().then(() => process.stdout.write(JSON.stringify(v.cryptoBackends())));`;
    const out = execFileSync(process.execPath, ["-e", script], {
      env: { ...process.env, REPAYPROOF_CRYPTO: "js" },
      encoding: "utf8",
    });
    expect(JSON.parse(out)).to.deep.equal({ secp256k1: "@noble/curves", keccak: "js-sha3" });
  });

  it("behavior: every keccak backend hashes as js-sha3 does", function () {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (data) => {
        const want = sha3(data);
        for (const k of keccaks) expect(Buffer.from(k.keccak256(data)).toString("hex")).to.equal(want);
        expect(onEvery(() => keccak256(data).toString("hex"))).to.deep.equal(onEvery(() => want));
      }),
      { numRuns: RUNS },
    );
  });

  it("behavior: every secp256k1 backend signs alike (RFC 6979, low s) and recovers the signer's key", function () {
    fc.assert(
      fc.property(validKey, bytes(32), (key, digest) => {
        const pub = toHex(noble.getPublicKey(key, false));
        const sigs = secps.map((b) => b.sign(key, digest));
        for (const sig of sigs) {
          expect(toHex(sig.rs)).to.equal(toHex(sigs[0]!.rs));
          expect(sig.recid).to.equal(sigs[0]!.recid);
          expect(BigInt(toHex(sig.rs.subarray(32))) <= N / 2n).to.equal(true);
          for (const b of secps) expect(toHex(b.recover(digest, sig.rs, sig.recid) as Uint8Array)).to.equal(pub);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("behavior: recovery of arbitrary (r, s, recid) agrees, null included", function () {
    fc.assert(
      fc.property(bytes(64), bytes(32), fc.integer({ min: 0, max: 1 }), (rs, digest, recid) => {
        const got = secps.map((b) => {
          const p = b.recover(digest, rs, recid);
          return p ? toHex(p) : null;
        });
        for (const g of got) expect(g).to.equal(got[0]);
      }),
      { numRuns: RUNS },
    );
  });

  it("behavior: signDigest gives the same signature on every backend, recoverAddress the signer", function () {
    fc.assert(
      fc.property(validKey, bytes(32), (key, digest) => {
        const pub = Buffer.from(noble.getPublicKey(key, false)).subarray(1);
        const address = toHex(Buffer.from(sha3.arrayBuffer(pub)).subarray(12));
        const sigs = onEvery(() => signDigest(key, digest));
        for (const s of sigs) expect(s).to.deep.equal(sigs[0]);
        const sig = (sigs[0] as { value: string }).value;
        const recovered = onEvery(() => recoverAddress(digest, sig).toLowerCase());
        for (const r of recovered) expect(r).to.deep.equal({ value: address });
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });

  it("error: invalid private keys are refused by every backend", function () {
    for (const key of [0n, N, N + 1n, (1n << 256n) - 1n]) {
      const k = Buffer.from(hex32(key), "hex");
      for (const b of secps) expect(() => b.sign(k, new Uint8Array(32))).to.throw();
    }
  });

  it("error: malformed, high-s and out-of-range signatures are refused identically; signedBy agrees with recoverAddress", function () {
    const signed = fc
      .tuple(validKey, bytes(32))
      .map(([key, digest]) => ({ key, digest, sig: signDigest(key, digest) }));
    fc.assert(
      fc.property(
        signed.chain((s) => fc.tuple(fc.constant(s), signatureVariant(s.sig), fc.boolean(), bytes(20))),
        ([s, sig, claimTrueSigner, other]) => {
          const results = onEvery(() => recoverAddress(s.digest, sig));
          for (const r of results) expect(r).to.deep.equal(results[0]);
          const signer = Buffer.from(noble.getPublicKey(s.key, false)).subarray(1);
          const trueAddress = Buffer.from(sha3.arrayBuffer(signer)).subarray(12);
          const address = claimTrueSigner ? trueAddress : other;
          const ref = results[0] as { value?: string; code?: string; message?: string };
          const want = ref.value !== undefined ? { value: ref.value.toLowerCase() === toHex(address) } : ref;
          for (const got of onEvery(() => signedBy(s.digest, sig, address))) expect(got).to.deep.equal(want);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
