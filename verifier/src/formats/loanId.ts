import { keccak256 } from "../crypto/keccak";
import { fromHex, isBytes32, toHex } from "./hex";

/**
 * A loan's id in receipts: a salted commitment to the platform's own loan reference, `keccak256(abi.encode(
 * string loanRef, bytes32 salt))`, so that no loan number travels in clear (docs/formats.md, Loan ids). The
 * salt is the platform's secret; whoever holds a loanRef and the salt can show which loanId it is.
 * Lower-case 0x-hex. Nothing here loads ethers.
 */
export function loanIdOf(loanRef: string, salt: string): string {
  if (typeof loanRef !== "string" || loanRef.length === 0) throw new TypeError("loanIdOf: loanRef must be a string");
  if (!isBytes32(salt)) throw new TypeError("loanIdOf: salt must be bytes32");
  const data = Buffer.from(loanRef, "utf8");
  const padded = Math.ceil(data.length / 32) * 32;
  const encoded = Buffer.alloc(96 + padded);
  encoded.writeUInt32BE(0x40, 28); // offset of the string's tail
  fromHex(salt).copy(encoded, 32);
  encoded.writeUInt32BE(data.length, 92);
  data.copy(encoded, 96);
  return toHex(keccak256(encoded));
}

/**
 * A receipt's `externalRef` from the channel's own transaction id: `keccak256(utf8(txId))` (ethers' `id`),
 * so the id itself never travels. Lower-case 0x-hex.
 */
export function externalRefOf(txId: string): string {
  if (typeof txId !== "string" || txId.length === 0) throw new TypeError("externalRefOf: txId must be a string");
  return toHex(keccak256(Buffer.from(txId, "utf8")));
}
