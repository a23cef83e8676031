// Checks of the options every consumer kind shares.

import { ValidationError } from "../errors.ts";
import { checkFunction, checkKnownKeys, checkPositiveNumber } from "../options.ts";
import type { CommitMode } from "./handler.ts";

/** Default page size of a consumer's reads. */
export const DEFAULT_BATCH_SIZE = 100;

/** The keys of `createConsumer`'s options (its hooks included). */
export const CONSUMER_OPTION_KEYS: readonly string[] = Object.freeze([
  "group",
  "source",
  "handler",
  "pageHandler",
  "storage",
  "batchSize",
  "commit",
  "retry",
  "parkAtOnce",
  "signal",
  "logger",
  "onCaughtUp",
  "onParked",
  "onError",
  "onPage",
  "controlInterval",
  "telemetry",
  "continueTrace",
  "from",
]);

/** The keys of `createGroupConsumer`'s options. */
export const GROUP_CONSUMER_OPTION_KEYS: ReadonlySet<string> = new Set([
  ...CONSUMER_OPTION_KEYS,
  "partitions",
  "member",
  "leaseTtl",
  "heartbeatInterval",
  "concurrency",
]);

/** Refuses options that are not an object or have a key not in `allowed`. */
export function checkConsumerOptions(
  options: unknown,
  allowed: readonly string[] | ReadonlySet<string>,
): void {
  if (typeof options !== "object" || options === null) {
    throw new ValidationError("options", options, "expected { group, source, handler, storage }");
  }
  checkKnownKeys(options, allowed, "options");
}

/** A group name: any non-empty string of at most 200 characters. */
export function checkGroup(group: unknown, path = "options.group"): string {
  if (typeof group !== "string" || group.length === 0 || group.length > 200) {
    throw new ValidationError(path, group, "must be a non-empty string of at most 200 characters");
  }
  return group;
}

/** A commit mode; `fallback` (`"message"` unless given) when absent. */
export function checkCommitMode(
  mode: unknown,
  path = "options.commit",
  fallback: CommitMode = "message",
): CommitMode {
  if (mode === undefined) return fallback;
  if (mode === "message" || mode === "page" || mode === "after-handler") return mode;
  throw new ValidationError(path, mode, 'expected "message", "page" or "after-handler"');
}

/**
 * Where a consumer starts when its group has no checkpoint yet (see
 * `CreateConsumerOptions.from`): `"start"`, `"end"`, or a position.
 */
export type ConsumerStart = "start" | "end" | bigint;

/** A consumer's `from`; `"start"` when absent. */
export function checkConsumerStart(from: unknown, path = "options.from"): ConsumerStart {
  if (from === undefined) return "start";
  if (from === "start" || from === "end" || (typeof from === "bigint" && from >= 0n)) return from;
  throw new ValidationError(
    path,
    from,
    'expected "start", "end" or a position as a bigint from 0n (used only while the group has no checkpoint)',
  );
}

/**
 * A consumer's handler: exactly one of a message handler and a page handler.
 * Resolves which one it is.
 */
export function checkHandlers(handler: unknown, pageHandler: unknown): "message" | "page" {
  if (handler !== undefined && pageHandler !== undefined) {
    throw new ValidationError(
      "options.pageHandler",
      pageHandler,
      "give either handler or pageHandler, not both",
    );
  }
  if (pageHandler !== undefined) {
    checkFunction(pageHandler, "options.pageHandler");
    return "page";
  }
  checkFunction(handler, "options.handler");
  return "message";
}

/** A ConsumerStorage: an object with its four parts. */
export function checkStorage(storage: unknown, path = "options.storage"): void {
  const s = storage as Record<string, unknown> | null | undefined;
  if (
    typeof s !== "object" || s === null ||
    !["checkpoints", "parked", "processed", "leases"].every((k) =>
      typeof s[k] === "object" && s[k] !== null
    )
  ) {
    throw new ValidationError(
      path,
      storage,
      "must be a ConsumerStorage with checkpoints, parked, processed and leases, where the consumer keeps its checkpoint: createMemoryConsumerStorage(), or createPostgresConsumerStorage(sql) beside a PostgreSQL store",
    );
  }
}

/**
 * A lease or membership lifetime: a positive, finite number of milliseconds.
 * Shared by every LeaseStore so they all refuse the same input the same way.
 *
 * @example
 * ```ts
 * import { checkLeaseTtl } from "./_options.ts";
 * checkLeaseTtl(1000); // 1000
 * ```
 */
export function checkLeaseTtl(ttl: unknown, path = "options.ttl"): number {
  return checkPositiveNumber(ttl, path, undefined, "milliseconds");
}
