// Checks of the options every consumer kind shares.

import { ValidationError } from "../errors.ts";
import { MAX_READ_LIMIT } from "../validate_read.ts";
import type { CommitMode } from "./handler.ts";

/** Default page size of a consumer's reads. */
export const DEFAULT_BATCH_SIZE = 100;

/** A group name: any non-empty string of at most 200 characters. */
export function checkGroup(group: unknown, path = "options.group"): string {
  if (typeof group !== "string" || group.length === 0 || group.length > 200) {
    throw new ValidationError(path, group, "must be a non-empty string of at most 200 characters");
  }
  return group;
}

/** A positive integer up to `max`, or the default when absent. */
export function checkCount(
  value: unknown,
  path: string,
  fallback: number,
  max = MAX_READ_LIMIT,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
    throw new ValidationError(path, value, `must be an integer from 1 to ${max}`);
  }
  return value;
}

/** A function. */
export function checkFunction(value: unknown, path: string): void {
  if (typeof value !== "function") throw new ValidationError(path, value, "must be a function");
}

/** An optional function. */
export function checkOptionalFunction(value: unknown, path: string): void {
  if (value !== undefined) checkFunction(value, path);
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
      "must be a ConsumerStorage with checkpoints, parked, processed and leases",
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
  if (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl <= 0) {
    throw new ValidationError(path, ttl, "must be a positive number of milliseconds");
  }
  return ttl;
}
