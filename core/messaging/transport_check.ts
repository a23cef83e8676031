/**
 * The check of a `transport` option (createBus, createHttpHandler): a
 * {@link Transport}, and not the {@link Bus} made over one. The two have
 * methods of the same names, so a bus given where a transport belongs used
 * to pass a check for `send` and fail later, at the first call, in ways that
 * do not point back at the option (a query whose name is an object). A bus
 * carries a brand that says what it is, and the message says what to pass.
 *
 * @module
 */

import { ValidationError } from "../errors.ts";
import type { Transport } from "./transport.ts";

/**
 * The brand every bus carries. `Symbol.for`, so that a bus from another copy
 * of ordo in the same program is recognised too.
 */
export const BUS_BRAND: unique symbol = Symbol.for("ordo.bus") as never;

/** The methods of the transport port, every one a transport must have. */
export const TRANSPORT_METHODS = [
  "send",
  "sendAndWait",
  "query",
  "publish",
  "handleCommand",
  "handleQuery",
  "subscribe",
  "close",
] as const;

const EXPECTED =
  "expected a transport (createInProcessTransport(), createStoreBackedTransport(store, …), createHttpTransport(…), …)";

/**
 * Checks that `value` is a transport: an object with the port's eight
 * methods that is not a bus. Returns it.
 *
 * @throws {ValidationError} at `path`, saying to pass the bus's transport for
 *   a bus, and to call a factory passed uncalled
 * @example
 * ```ts
 * import { checkTransport } from "./transport_check.ts";
 * import { createBus } from "./bus.ts";
 * import { createInProcessTransport } from "../../transports/in_process.ts";
 * const transport = checkTransport(createInProcessTransport(), "options.transport");
 * try {
 *   checkTransport(createBus({ transport }), "options.transport");
 * } catch (error) {
 *   console.log((error as Error).message); // Invalid options.transport …: expected a transport (…), got a bus: pass the transport the bus was made with
 * }
 * ```
 */
export function checkTransport(value: unknown, path: string): Transport {
  if (typeof value === "function") {
    throw new ValidationError(
      path,
      value,
      `${EXPECTED}, got a function: call it (${value.name || "createInProcessTransport"}(…))`,
    );
  }
  if (typeof value !== "object" || value === null) {
    throw new ValidationError(path, value, EXPECTED);
  }
  if ((value as { [BUS_BRAND]?: unknown })[BUS_BRAND] === true) {
    throw new ValidationError(
      path,
      value,
      `${EXPECTED}, got a bus: pass the transport the bus was made with`,
    );
  }
  const missing = TRANSPORT_METHODS.filter((method) =>
    typeof (value as Record<string, unknown>)[method] !== "function"
  );
  if (missing.length > 0) {
    throw new ValidationError(path, value, `${EXPECTED}; this one has no ${missing.join(", ")}`);
  }
  return value as Transport;
}
