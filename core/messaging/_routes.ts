// What the bus remembers of each name it has checked: its contract and its
// call options. Checking a name costs a parse and a schema lookup, and the
// client calls are hot paths, so a route is made once per name and kept.

import { ValidationError } from "../errors.ts";
import { checkKnownKeys, checkTimeout } from "../options.ts";
import type { BusCallOptions } from "./bus_types.ts";
import type { GuardedCallOptions } from "./call_guard.ts";
import type { SchemaMap } from "./contracts.ts";
import type { StandardSchemaV1 } from "./standard_schema.ts";

const CALL_OPTION_KEYS: readonly string[] = ["timeout", "signal", "trace"];

/** The contract declared for `name` in a section; throws when the section exists and lacks it. */
export function schemaFor(
  section: SchemaMap | undefined,
  name: string,
  path: string,
): StandardSchemaV1 | undefined {
  if (section === undefined) return undefined;
  const schema = section[name];
  if (schema === undefined) {
    throw new ValidationError(path, name, "no contract is declared for this name");
  }
  return schema;
}

/** Routes kept per bus and kind of call; past this many names, routes are made per call and not kept. */
export const ROUTE_CACHE_LIMIT = 10_000;

/** What the bus knows about a name once it has checked it: its contract and its default call options. */
export interface Route {
  readonly schema: StandardSchemaV1 | undefined;
  readonly call: GuardedCallOptions;
}

/** A command name's route: `send` and `sendAndWait` differ in timeout and in how errors name them. */
export interface CommandRoute extends Route {
  readonly wait: GuardedCallOptions;
}

/** Keeps a checked route for the next call with its name, up to {@link ROUTE_CACHE_LIMIT} names. */
export function remember<R>(routes: Map<string, R>, name: string, route: R): R {
  if (routes.size < ROUTE_CACHE_LIMIT) routes.set(name, route);
  return route;
}

/**
 * The call options of one call: the route's defaults unless the caller gave a
 * timeout or a signal. Options given are checked for unknown keys (a small
 * object: one `for…in`); absent ones cost nothing.
 */
export function callOptions(
  defaults: GuardedCallOptions,
  options: BusCallOptions | undefined,
): GuardedCallOptions {
  if (options === undefined) return defaults;
  if (typeof options !== "object" || options === null) {
    throw new ValidationError("options", options, "expected { timeout?, signal? }");
  }
  try {
    checkKnownKeys(options, CALL_OPTION_KEYS, "options");
  } catch (error) {
    throw misplacedOption(options) ?? error;
  }
  if (options.timeout === undefined && options.signal === undefined) return defaults;
  if (options.signal !== undefined && !isAbortSignal(options.signal)) {
    throw new ValidationError(
      "options.signal",
      options.signal,
      isAbortSignal((options.signal as { signal?: unknown })?.signal)
        ? "expected an AbortSignal, got an AbortController: pass its signal (controller.signal)"
        : "expected an AbortSignal (an AbortController's signal, or AbortSignal.timeout(ms))",
    );
  }
  return {
    timeout: checkTimeout(options.timeout, "options.timeout", defaults.timeout!),
    signal: options.signal,
    operation: defaults.operation,
  };
}

// By shape, not instanceof: a signal from another realm (a test runner's, a polyfill) is one too.
function isAbortSignal(value: unknown): value is AbortSignal {
  return typeof value === "object" && value !== null &&
    typeof (value as AbortSignal).aborted === "boolean" &&
    typeof (value as AbortSignal).addEventListener === "function";
}

// A key of the bus's options given to a call: where it belongs, not the
// nearest call option's name (`retry` is not a misspelt `trace`). Looked for
// only once the keys were refused, so a call with options pays nothing for it.
function misplacedOption(options: object): ValidationError | undefined {
  for (const key of ["retry", "circuitBreaker"]) {
    if (!Object.hasOwn(options, key)) continue;
    return new ValidationError(
      `options.${key}`,
      (options as Record<string, unknown>)[key],
      `${key} is set on the bus (createBus({ ${key} })), not per call; a call takes timeout, signal and trace`,
    );
  }
  return undefined;
}
