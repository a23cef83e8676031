/**
 * Message names and the streams they map to. A name is `service/action`
 * (`users/lock`, `orders/show`, `orders/placed`): the service is a valid
 * stream category (letters, digits, `_`, `.`, `:`, starting with a letter or
 * `_`), the action is one or more `/`-separated segments of letters, digits,
 * `_`, `.`, `:` and `-`. The name itself is the stored message's `type`.
 *
 * | pattern | stream | example |
 * |---|---|---|
 * | command | `<service>:command-<key>` (key defaults to the command id) | `users:command-7a0c…` |
 * | reply to a command | `<service>:reply-<command id>` | `users:reply-7a0c…` |
 * | event | the given `stream`, else `<service>-<key>` (key defaults to the event id) | `orders-42` |
 *
 * @module
 */

import { ValidationError } from "../errors.ts";
import { parseStreamName } from "../stream_name.ts";

const NAME = /^[A-Za-z_][A-Za-z0-9_.:]*(\/[A-Za-z0-9_.:-]+)+$/;

/** Longest message name accepted. */
export const MAX_MESSAGE_NAME_LENGTH = 150;

const checked = new Set<string>();

/**
 * Checks a message name and returns its service (the part before the first `/`).
 *
 * @throws {ValidationError} when the name is not `service/action`
 * @example
 * ```ts
 * import { serviceOf } from "./names.ts";
 * serviceOf("users/lock"); // "users"
 * ```
 */
export function serviceOf(name: unknown, path = "name"): string {
  if (typeof name === "string" && checked.has(name)) return name.slice(0, name.indexOf("/"));
  if (typeof name !== "string" || name.length > MAX_MESSAGE_NAME_LENGTH || !NAME.test(name)) {
    throw new ValidationError(
      path,
      name,
      `a message name is "service/action": a service of letters, digits, _, . and : starting with a letter or _, then "/" and an action of letters, digits, _, ., : and - (at most ${MAX_MESSAGE_NAME_LENGTH} characters)`,
    );
  }
  if (checked.size < 10_000) checked.add(name);
  return name.slice(0, name.indexOf("/"));
}

/**
 * The category holding a service's commands.
 *
 * @example
 * ```ts
 * import { commandCategory } from "./names.ts";
 * commandCategory("users/lock"); // "users:command"
 * ```
 */
export function commandCategory(name: string): string {
  return `${serviceOf(name)}:command`;
}

/**
 * The stream a command is appended to: deterministic in the command, so a
 * retried send lands in the same stream and the store's idempotent append
 * recognises it.
 *
 * @throws {ValidationError} when the key makes no valid stream id
 * @example
 * ```ts
 * import { commandStream } from "./names.ts";
 * commandStream("users/lock", "u-1"); // "users:command-u-1"
 * ```
 */
export function commandStream(name: string, key: string): string {
  const stream = `${commandCategory(name)}-${key}`;
  parseStreamName(stream, "command.key");
  return stream;
}

/**
 * The stream a command's reply goes to.
 *
 * @example
 * ```ts
 * import { replyStream } from "./names.ts";
 * replyStream("users/lock", "7a0c6f1e-0f6b-4a8e-9a51-1f1d0c1e2b3a"); // "users:reply-7a0c6f1e-…"
 * ```
 */
export function replyStream(name: string, commandId: string): string {
  return `${serviceOf(name)}:reply-${commandId}`;
}

/**
 * The stream an event is appended to: `stream` when given (checked), else `<service>-<key>`.
 *
 * @throws {ValidationError} when the stream name is invalid
 * @example
 * ```ts
 * import { eventStream } from "./names.ts";
 * eventStream("orders/placed", { key: "42" }); // "orders-42"
 * eventStream("orders/placed", { stream: "order-42", key: "42" }); // "order-42": a given stream wins
 * ```
 */
export function eventStream(
  name: string,
  options: { readonly stream?: string; readonly key: string },
): string {
  if (options.stream !== undefined) {
    parseStreamName(options.stream, "event.stream");
    return options.stream;
  }
  const stream = `${serviceOf(name, "event.type")}-${options.key}`;
  parseStreamName(stream, "event.key");
  return stream;
}
