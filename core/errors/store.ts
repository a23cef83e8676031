/**
 * What a store answers besides success: a stream that moved, a message id
 * stored elsewhere, a store that could not be reached, and a schema that
 * is not migrated.
 *
 * @module
 */

import { describeValue, OrdoError } from "./ordo_error.ts";

/** What the writer expected a stream's version to be, as given to append. */
export type ExpectedVersionDescription = number | "no-stream" | "exists" | "any";

/**
 * The stream moved since the writer read it: its version is not the one the
 * append expected. Retry by re-reading the stream and deciding again.
 *
 * @example
 * ```ts
 * import { ConcurrencyError } from "./store.ts";
 * const error = new ConcurrencyError("order-1", 3, 5);
 * console.log(error.message);
 * // Cannot append to stream "order-1": expected version 3, current version is 5
 * ```
 */
export class ConcurrencyError extends OrdoError {
  /** Always `"ConcurrencyError"`. */
  readonly _tag = "ConcurrencyError" as const;

  /**
   * Refuses an append to `streamName` that expected `expectedVersion` and found `actualVersion`.
   * @param actualVersion the stream's version when the append was refused;
   *   `undefined` when the stream does not exist.
   */
  constructor(
    readonly streamName: string,
    readonly expectedVersion: ExpectedVersionDescription,
    readonly actualVersion: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `Cannot append to stream "${streamName}": expected ${describeExpected(expectedVersion)}, ${
        actualVersion === undefined
          ? "the stream does not exist"
          : `current version is ${actualVersion}`
      }`,
      options,
    );
  }
}

function describeExpected(expected: ExpectedVersionDescription): string {
  if (typeof expected === "number") return `version ${expected}`;
  if (expected === "no-stream") return "no stream";
  if (expected === "exists") return "an existing stream";
  return "any version";
}

/**
 * A message id that is already stored somewhere the append cannot reuse it:
 * in another stream, or in a batch that only partly matches this one.
 * Ids are idempotency keys, so a different message under a known id is refused.
 *
 * @example
 * ```ts
 * import { DuplicateMessageError } from "./store.ts";
 * const id = "7a0c6f1e-0f6b-4a8e-9a51-1f1d0c1e2b3a";
 * const error = new DuplicateMessageError("order-2", id, "order-1", 0);
 * console.log(error.message);
 * ```
 */
export class DuplicateMessageError extends OrdoError {
  /** Always `"DuplicateMessageError"`. */
  readonly _tag = "DuplicateMessageError" as const;

  /** Refuses `messageId` in an append to `streamName`; the stored copy's stream and version follow. */
  constructor(
    readonly streamName: string,
    readonly messageId: string,
    readonly storedStreamName: string,
    readonly storedVersion: number,
    options?: { cause?: unknown },
  ) {
    super(
      `Cannot append to stream "${streamName}": message id "${messageId}" is already stored in stream "${storedStreamName}" at version ${storedVersion}${
        storedStreamName === streamName ? " by an append that does not match this one" : ""
      }`,
      options,
    );
  }
}

/**
 * The store could not be reached or failed while doing the work (connection
 * refused or dropped, server shutting down). The driver's error is in `cause`.
 * Whether the operation took effect is unknown: an append retried with the
 * same message ids is safe. Retryable.
 *
 * @example
 * ```ts
 * import { StoreUnavailableError } from "./store.ts";
 * const error = new StoreUnavailableError("append", "connection refused");
 * console.log(error.message); // Store unavailable during append: connection refused
 * ```
 */
export class StoreUnavailableError extends OrdoError {
  /** Always `"StoreUnavailableError"`. */
  readonly _tag = "StoreUnavailableError" as const;

  /**
   * Since when (ms since the epoch) the adapter knows the store unreachable,
   * when it knows: the start of the request that got no answer, or the loss
   * of its connection, whichever was earlier. An outage's `downMs` counts
   * from it rather than from this error, which may come a request timeout
   * later. Not sent over the wire.
   */
  readonly since?: number;

  /**
   * `operation` names the store call (`append`), `detail` the driver's
   * message; pass its error as `cause`, and `since` when known.
   */
  constructor(
    readonly operation: string,
    detail: string,
    options?: { cause?: unknown; since?: number },
  ) {
    super(`Store unavailable during ${operation}: ${detail}`, options);
    if (options?.since !== undefined) this.since = options.since;
  }
}

/**
 * The store's schema is not migrated, or is older than this code: its tables
 * are missing or lack what the code needs. Not retryable: retrying cannot
 * create tables; call the store's `migrate()`.
 *
 * @example
 * ```ts
 * import { NotMigratedError } from "./store.ts";
 * const error = new NotMigratedError("ordo", 'relation "ordo.checkpoints" does not exist');
 * console.log(error.message);
 * // Schema "ordo" is not migrated: call migrate() first (relation "ordo.checkpoints" does not exist)
 * ```
 */
export class NotMigratedError extends OrdoError {
  /** Always `"NotMigratedError"`. */
  readonly _tag = "NotMigratedError" as const;
  /** The newest migration the schema has; `undefined` when unknown or none. */
  readonly foundVersion: number | undefined;
  /** The migration this code needs; `undefined` when unknown. */
  readonly requiredVersion: number | undefined;

  /** `schema` names the schema to migrate; give the versions found and required when they are known. */
  constructor(
    readonly schema: string,
    /** What showed it (the driver's message); `""` for nothing more. */
    detail: string,
    options?: { foundVersion?: number; requiredVersion?: number; cause?: unknown },
  ) {
    const found = options?.foundVersion;
    const required = options?.requiredVersion;
    const versions = found === undefined || required === undefined
      ? ""
      : ` (it has migration ${found}, this code needs ${required})`;
    super(
      `Schema ${describeValue(schema)} is not migrated${versions}: call migrate() first${
        detail === "" ? "" : ` (${detail})`
      }`,
      options,
    );
    this.foundVersion = found;
    this.requiredVersion = required;
  }
}
