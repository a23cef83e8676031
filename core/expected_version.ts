/**
 * The expected-version check, as a pure function stores share.
 *
 * @module
 */

import { ConcurrencyError } from "./errors.ts";
import type { ExpectedVersion } from "./message.ts";

/**
 * Throws unless a stream at `current` (`undefined`: no messages) satisfies `expected`.
 *
 * @throws {ConcurrencyError} naming the stream, the expectation and the current version
 * @example
 * ```ts
 * import { checkExpectedVersion } from "./expected_version.ts";
 * checkExpectedVersion("order-1", "no-stream", undefined); // passes
 * ```
 */
export function checkExpectedVersion(
  streamName: string,
  expected: ExpectedVersion,
  current: number | undefined,
): void {
  if (!satisfiesExpectedVersion(expected, current)) {
    throw new ConcurrencyError(streamName, expected, current);
  }
}

/**
 * Whether a stream at `current` satisfies `expected`.
 *
 * @example
 * ```ts
 * import { satisfiesExpectedVersion } from "./expected_version.ts";
 * satisfiesExpectedVersion(2, 2); // true
 * ```
 */
export function satisfiesExpectedVersion(
  expected: ExpectedVersion,
  current: number | undefined,
): boolean {
  switch (expected) {
    case "any":
      return true;
    case "no-stream":
      return current === undefined;
    case "exists":
      return current !== undefined;
    default:
      return current === expected;
  }
}
