/**
 * What every lease store shares about member instances: a consumer group
 * member generates an instance id each time it starts, and the lease store
 * keeps it with the membership and the leases, so that two running
 * instances given one name (every replica configured alike, a container's
 * hostname) are told apart: the second is refused while the first is live.
 * docs/decisions/consumers.md, "One running instance per member name".
 *
 * @module
 */

import { ordoTagOf, ValidationError } from "../errors.ts";
import { checkName } from "../options.ts";

/**
 * The instance a lease store records for `member`: `instance` when given (a
 * non-empty string), else the member's name, for a caller that runs one
 * instance per name (a test, an operator's tool).
 *
 * @throws {ValidationError} at `options.instance` when it is not a non-empty string
 * @example
 * ```ts
 * import { checkInstance } from "./member_instance.ts";
 * checkInstance(undefined, "m1"); // "m1"
 * checkInstance("0b8c…", "m1"); // "0b8c…"
 * ```
 */
export function checkInstance(instance: unknown, member: string): string {
  return checkName(instance, "options.instance", member);
}

/**
 * What a lease store's `heartbeat` throws when another instance holds the
 * name: a `ValidationError` at `member`. Nothing was written.
 *
 * @example
 * ```ts
 * import { memberNameInUse } from "./member_instance.ts";
 * memberNameInUse("shipping", "worker").message;
 * // Invalid member "worker": another running instance holds this name in group "shipping" (its membership has not expired); nothing was written
 * ```
 */
export function memberNameInUse(group: string, member: string): ValidationError {
  return new ValidationError(
    "member",
    member,
    `another running instance holds this name in group ${
      JSON.stringify(group)
    } (its membership has not expired); nothing was written`,
  );
}

/**
 * Whether `error` is a lease store's refusal of a member name held by
 * another instance ({@link memberNameInUse}), from this copy of ordo or another.
 *
 * @example
 * ```ts
 * import { isMemberNameInUse, memberNameInUse } from "./member_instance.ts";
 * isMemberNameInUse(memberNameInUse("shipping", "worker")); // true
 * isMemberNameInUse(new Error("connection reset")); // false
 * ```
 */
export function isMemberNameInUse(error: unknown): boolean {
  return ordoTagOf(error) === "ValidationError" && (error as ValidationError).path === "member";
}
