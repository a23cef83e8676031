/**
 * Telling a user's hooks (`onError`, `onParked`) about a failure from inside
 * a delivery loop. A hook is the user's code and may throw; its throw must not
 * end the loop that called it (that loop is all that delivers), nor keep the
 * failure from the hooks after it, so it is logged instead, one line that
 * reads the same in every store and transport.
 *
 * @module
 */

import type { LogFields, Logger } from "./logger.ts";

/** Where a hook's throw is logged, and how the line names it. */
export interface TellHooksOptions {
  /** Gets `<hook> hook threw` at level `error`. */
  readonly logger: Logger;
  /** The fields that name the site (`{ group: "billing" }`), before the thrown `error`. */
  readonly fields?: LogFields;
  /** The hooks' name, for the line. Default `"onError"`. */
  readonly hook?: string;
}

/**
 * Calls each hook given (an `undefined` one is skipped) with `args`, in
 * order. A hook that throws is logged through `options.logger` at level
 * `error` (`onError hook threw` with `options.fields` and the thrown `error`)
 * and the next is called all the same; nothing a hook throws escapes. A
 * promise a hook returns (an `async` hook) is not awaited, but its rejection
 * is logged the same way (`onError hook rejected`): left alone it would be an
 * unhandled rejection, which ends a Node process.
 *
 * @example
 * ```ts
 * import { createConsoleLogger } from "./logger.ts";
 * import { tellHooks } from "./tell_hooks.ts";
 * const logger = createConsoleLogger({ write: (line) => console.log(line) });
 * const broken = () => {
 *   throw new TypeError("the pager is down");
 * };
 * const told = (error: unknown) => console.log("told:", String(error));
 * tellHooks([broken, undefined, told], [new RangeError("no stock")], {
 *   logger,
 *   fields: { group: "billing" },
 * });
 * // ordo error: onError hook threw group="billing" error="TypeError: the pager is down"
 * // told: RangeError: no stock
 * ```
 */
export function tellHooks<Args extends readonly unknown[]>(
  hooks: readonly (((...args: Args) => unknown) | undefined)[],
  args: NoInfer<Args>,
  options: TellHooksOptions,
): void {
  const log = (how: string, error: unknown) =>
    options.logger.error(`${options.hook ?? "onError"} hook ${how}`, {
      ...options.fields,
      error,
    });
  for (const hook of hooks) {
    try {
      const returned = hook?.(...args);
      if (isThenable(returned)) returned.then(undefined, (error) => log("rejected", error));
    } catch (thrown) {
      log("threw", thrown);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}
