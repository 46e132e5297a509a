import { keccak256 } from "../crypto/keccak";
import { fromHex, isAddress, isBytes32, toHex } from "./hex";

/**
 * The agreement ID bound to its parties (v0.2): `keccak256(abi.encode(address platform, address funder,
 * bytes32 salt))`, the rule `AgreementRegistry.register` checks at version 1, so that nobody who sees a
 * registration in the mempool can take its ID first with other parties. Lower-case 0x-hex.
 */
export function agreementIdOf(platform: string, funder: string, salt: string): string {
  if (!isAddress(platform)) throw new TypeError("agreementIdOf: platform must be an address");
  if (!isAddress(funder)) throw new TypeError("agreementIdOf: funder must be an address");
  if (!isBytes32(salt)) throw new TypeError("agreementIdOf: salt must be bytes32");
  const encoded = Buffer.alloc(96);
  fromHex(platform).copy(encoded, 12);
  fromHex(funder).copy(encoded, 44);
  fromHex(salt).copy(encoded, 64);
  return toHex(keccak256(encoded));
}
