/**
 * The error ordo's test helpers throw when an expectation fails: its message
 * says what differed and shows a diff, so every test runner (`node:test`,
 * `Deno.test`, `bun test`) prints all of it.
 *
 * @module
 */

import { type Canonical, canonical, diff, firstDifference, line } from "./_canonical.ts";

/**
 * A failed expectation: the message names the first difference and holds a
 * line diff; `expected` and `actual` are the values compared.
 *
 * @example
 * ```ts
 * import { AssertionError } from "./assertion_error.ts";
 * const error = new AssertionError("The totals differ\n  - 1\n  + 2", 1, 2);
 * console.log(error.name, error.expected, error.actual); // AssertionError 1 2
 * ```
 */
export class AssertionError extends Error {
  /** `"AssertionError"`, as runners expect of a failed assertion. */
  override readonly name = "AssertionError";
  /** What was expected. */
  readonly expected: unknown;
  /** What came instead. */
  readonly actual: unknown;

  /** A failure with its whole report as `message`; `cause` is an error met on the way, if any. */
  constructor(message: string, expected: unknown, actual: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.expected = expected;
    this.actual = actual;
  }
}

/** The first difference between two canonical values, as one line of a report. */
export function firstDifferenceLine(expected: Canonical, actual: Canonical): string {
  const first = firstDifference(expected, actual);
  return first === undefined
    ? "  (they print the same but differ)"
    : `  first difference at ${first.path}: expected ${first.expected}, got ${first.actual}`;
}

/** A diff of two canonical values, indented, under a legend naming each side. */
export function diffLines(expected: Canonical, actual: Canonical, legend = ["expected", "actual"]) {
  const body = diff(expected, actual).split("\n").map((l) => `  ${l}`).join("\n");
  return `  - ${legend[0]}\n  + ${legend[1]}\n${body}`;
}

/** Throws an {@link AssertionError} unless the two values are the same in canonical form. */
export function assertSame(summary: string, expected: unknown, actual: unknown): void {
  const a = canonical(expected);
  const b = canonical(actual);
  if (line(a) === line(b)) return;
  throw new AssertionError(
    `${summary}\n${firstDifferenceLine(a, b)}\n${diffLines(a, b)}`,
    expected,
    actual,
  );
}
