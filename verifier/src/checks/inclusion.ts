import { verifyProof } from "../merkle/merkle";
import { failed, passed, type Outcome } from "./checkLog";

/** Whether `proof` leads from `digest`'s leaf to `root` (the receipt tree's leaf rule, sorted pairs). */
export function isIncluded(root: string, digest: string, proof: readonly string[]): boolean {
  try {
    return verifyProof(root, digest, proof);
  } catch {
    return false; // the parsers already refused malformed elements; a throw here still means "not included"
  }
}

/** INCLUSION: the bundle's proof leads from the digest's leaf to the batch's root. */
export function checkInclusion(root: string, digest: string, proof: readonly string[]): Outcome<"NOT_INCLUDED"> {
  if (isIncluded(root, digest, proof)) return passed();
  return failed("NOT_INCLUDED", `the proof does not lead from the receipt's leaf to ${root}`, "proof");
}
