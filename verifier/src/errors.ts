/**
 * The two kinds of failure in format code (after OpenZeppelin merkle-tree): the caller handed us something
 * invalid (`InvalidArgumentError`, with a stable code), or our own code broke an invariant (a bug).
 */
export type FormatErrorCode = "INVALID_FIELD" | "INVALID_SIGNATURE_FORMAT" | "INVALID_PROOF" | "INVALID_TREE";

export class InvalidArgumentError extends Error {
  override readonly name = "InvalidArgumentError";
  constructor(
    readonly code: FormatErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export class InvariantError extends Error {
  override readonly name = "InvariantError";
}

/** Throws an {@link InvariantError} (our bug, never the caller's) unless `condition` holds. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}

export function isInvalidArgument(e: unknown): e is InvalidArgumentError {
  return e instanceof InvalidArgumentError;
}
