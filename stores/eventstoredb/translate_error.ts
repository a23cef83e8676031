/**
 * The client's errors in ordo's terms. The client marks its errors with a
 * string `type` (`"wrong-expected-version"`, `"unavailable"`, …) and gRPC ones
 * with a numeric `code`; both are read here without importing the client.
 *
 * - wrong expected version -> `ConcurrencyError` naming stream, expectation
 *   and the current version;
 * - unavailable, deadline exceeded, timeout, not leader, or a gRPC status 14
 *   (UNAVAILABLE) / 4 (DEADLINE_EXCEEDED) -> `StoreUnavailableError`;
 * - anything else is returned unchanged, its cause intact.
 *
 * @module
 */

import type { CurrentRevision } from "@eventstore/db-client";
import {
  ConcurrencyError,
  type ExpectedVersion,
  OrdoError,
  StoreUnavailableError,
} from "../../core/mod.ts";
import { fromCurrentRevision } from "./expected_revision.ts";

const UNAVAILABLE_TYPES = new Set(["unavailable", "deadline-exceeded", "timeout", "not-leader"]);
// gRPC status codes: 4 DEADLINE_EXCEEDED, 14 UNAVAILABLE.
const UNAVAILABLE_CODES = new Set([4, 14]);

/**
 * Whether a client error means the server could not be reached or did not answer in time.
 *
 * @example
 * ```ts
 * import { isUnavailable } from "./translate_error.ts";
 * isUnavailable({ code: 14, message: "14 UNAVAILABLE: No connection established" }); // true
 * ```
 */
export function isUnavailable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { type, code } = error as { type?: unknown; code?: unknown };
  return (typeof type === "string" && UNAVAILABLE_TYPES.has(type)) ||
    (typeof code === "number" && UNAVAILABLE_CODES.has(code));
}

/**
 * A wrong-expected-version error: `@eventstore/db-client` names the stream's
 * current revision `actualVersion`, `@kurrent/kurrentdb-client` `actualState`.
 */
export interface WrongExpectedVersion {
  readonly actualVersion?: CurrentRevision;
  readonly actualState?: CurrentRevision;
}

/**
 * Whether a client error is EventStoreDB's wrong expected version.
 *
 * @example
 * ```ts
 * import { isWrongExpectedVersion } from "./translate_error.ts";
 * isWrongExpectedVersion({ type: "wrong-expected-version", actualVersion: 2n }); // true
 * ```
 */
export function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersion {
  return typeof error === "object" && error !== null &&
    (error as { type?: unknown }).type === "wrong-expected-version";
}

/**
 * Whether a client error says the stream read does not exist.
 *
 * @example
 * ```ts
 * import { isStreamNotFound } from "./translate_error.ts";
 * isStreamNotFound({ type: "stream-not-found" }); // true
 * ```
 */
export function isStreamNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null &&
    (error as { type?: unknown }).type === "stream-not-found";
}

/** What an append was doing, for a ConcurrencyError. */
export interface AppendContext {
  readonly streamName: string;
  readonly expectedVersion: ExpectedVersion;
}

/**
 * Translates a client error thrown during `operation`; pass `append` for an
 * append so that a wrong expected version names the ordo stream.
 *
 * @example
 * ```ts
 * import { translateError } from "./translate_error.ts";
 * const error = translateError({ type: "wrong-expected-version", actualVersion: 5n }, "append", {
 *   streamName: "order-1",
 *   expectedVersion: 3,
 * });
 * console.log((error as Error).message); // Cannot append to stream "order-1": expected version 3, current version is 5
 * ```
 */
export function translateError(error: unknown, operation: string, append?: AppendContext): unknown {
  if (error instanceof OrdoError) return error;
  if (append !== undefined && isWrongExpectedVersion(error)) {
    return new ConcurrencyError(
      append.streamName,
      append.expectedVersion,
      fromCurrentRevision(error.actualVersion ?? error.actualState),
      {
        cause: error,
      },
    );
  }
  if (isUnavailable(error)) {
    const detail = (error as { message?: unknown }).message;
    return new StoreUnavailableError(
      operation,
      typeof detail === "string" && detail ? detail : String(error),
      { cause: error },
    );
  }
  return error;
}
