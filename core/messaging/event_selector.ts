/**
 * The check of an {@link EventSelector}, one for every transport: the bus
 * runs it before a transport sees the selector, and a transport used without
 * a bus (the HTTP client) runs the same one. A selector that is neither form
 * would be accepted by a transport's matching and simply never match (a
 * string is not an array of names, `{ categry }` has no category, a
 * category with a `/` is no stream's), so it is refused where it is given.
 *
 * @module
 */

import { ValidationError } from "../errors.ts";
import { checkKnownKeys } from "../options.ts";
import { validateCategory } from "../stream_name.ts";
import { serviceOf } from "./names.ts";
import type { EventSelector } from "./transport.ts";

const SELECTOR_KEYS: readonly string[] = ["category"];
const WHAT =
  'a selector is an array of event names (["orders/placed"]) or a stream category ({ category: "orders" })';

/**
 * Checks that `selector` is an array of at least one event name, or
 * `{ category }` with a valid category, and returns it.
 *
 * @throws {ValidationError} at `path` (or `<path>[i]`, `<path>.category`, `<path>.<unknown key>`)
 *   saying what a selector is
 * @example
 * ```ts
 * import { checkEventSelector } from "./event_selector.ts";
 * checkEventSelector(["orders/placed"]); // ["orders/placed"]
 * try {
 *   checkEventSelector({ category: "orders/placed" });
 * } catch (error) {
 *   console.log((error as Error).message); // Invalid selector.category "orders/placed": … pass ["orders/placed"]
 * }
 * ```
 */
export function checkEventSelector(selector: unknown, path = "selector"): EventSelector {
  if (Array.isArray(selector)) {
    if (selector.length === 0) {
      throw new ValidationError(path, selector, `name at least one event: ${WHAT}`);
    }
    selector.forEach((name, i) => serviceOf(name, `${path}[${i}]`));
    return selector;
  }
  if (typeof selector !== "object" || selector === null) {
    const hint = typeof selector === "string" && selector.includes("/")
      ? `: to follow this event, pass [${JSON.stringify(selector)}]`
      : "";
    throw new ValidationError(path, selector, `${WHAT}${hint}`);
  }
  checkKnownKeys(selector, SELECTOR_KEYS, path, "key");
  const category = (selector as { category?: unknown }).category;
  if (category === undefined) {
    throw new ValidationError(path, selector, `${WHAT}: this object has no category`);
  }
  if (typeof category === "string" && category.includes("/")) {
    throw new ValidationError(
      `${path}.category`,
      category,
      `a category is the start of a stream name, before its first "-" ("orders" for "orders-42"), not an event name: to follow this event, pass [${
        JSON.stringify(category)
      }]`,
    );
  }
  validateCategory(category, `${path}.category`);
  return selector as EventSelector;
}
