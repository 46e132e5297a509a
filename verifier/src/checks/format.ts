import { InvalidArgumentError } from "../errors";
import { failed, passed, type Outcome } from "./checkLog";

/**
 * FORMAT: parses the untrusted input with `parse` (a strict parser that throws `InvalidArgumentError` naming
 * the field). On failure the outcome fails with `code` at that field, and no value is returned.
 */
export function checkFormat<T, C extends string>(
  parse: (input: unknown) => T,
  input: unknown,
  code: C,
): { value?: T; outcome: Outcome<C> } {
  try {
    return { value: parse(input), outcome: passed() };
  } catch (e) {
    // The parsers throw InvalidArgumentError for bad input; anything else would be our bug, but a verifier
    // must still answer, so it is reported as malformed input too (with no field to name).
    const field = e instanceof InvalidArgumentError ? e.field : undefined;
    const message = e instanceof Error ? e.message : String(e);
    return { outcome: field === undefined ? { status: "fail", code, message } : failed(code, message, field) };
  }
}
