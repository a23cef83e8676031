// The checks of createBus's options and of the options of its handler
// registrations, apart from the bus's workings.

import { ValidationError } from "../errors.ts";
import { checkLogger, consoleLogger, type Logger } from "../logger.ts";
import { checkOptionalFunction, checkOptions, checkTimeout } from "../options.ts";
import { type CheckedRetryPolicy, checkRetryPolicy } from "../consumers/mod.ts";
import { type BusTimeouts, type CreateBusOptions, DEFAULT_BUS_TIMEOUTS } from "./bus_types.ts";
import {
  type CircuitBreaker,
  type CircuitBreakerOptions,
  createCircuitBreakerAt,
} from "./circuit_breaker.ts";
import type { BusContracts } from "./contracts.ts";
import { clientRetryPolicy } from "./retry.ts";
import type { HandlerOptions, Transport } from "./transport.ts";
import { checkTransport } from "./transport_check.ts";

const BUS_OPTION_KEYS: readonly string[] = [
  "transport",
  "contracts",
  "timeouts",
  "retry",
  "circuitBreaker",
  "logger",
  "telemetry",
  "name",
];
const TIMEOUT_KEYS: readonly string[] = ["send", "sendAndWait", "query", "publish"];
const HANDLER_OPTION_KEYS: readonly string[] = [
  "retry",
  "onParked",
  "onError",
  "logger",
  "continueTrace",
];
const CONTRACT_SECTIONS: readonly string[] = ["commands", "queries", "events"];

/** createBus's options, checked, with every default filled in. */
export interface CheckedBusOptions {
  readonly transport: Transport;
  readonly contracts: BusContracts;
  readonly timeouts: Required<BusTimeouts>;
  readonly retry: CheckedRetryPolicy;
  /** The breaker the bus uses; `undefined` for none. */
  readonly breaker: CircuitBreaker | undefined;
  /** True when the bus made the breaker (its state changes are the bus's to log). */
  readonly ownBreaker: boolean;
  /** What its breaker guards, named in its `CircuitOpenError`: the peer's URL, else the transport's kind. */
  readonly guards: string | undefined;
  readonly logger: Logger;
}

/** Checks createBus's options (unknown keys refused). */
export function checkBusOptions<C extends BusContracts>(
  options: CreateBusOptions<C>,
): CheckedBusOptions {
  if (typeof options !== "object" || options === null) {
    throw new ValidationError("options", options, "expected { transport }");
  }
  checkOptions(options, BUS_OPTION_KEYS);
  checkTransport(options.transport, "options.transport");
  const contracts = checkOptions(options.contracts, CONTRACT_SECTIONS, "options.contracts");
  const t = checkOptions(options.timeouts, TIMEOUT_KEYS, "options.timeouts") as BusTimeouts;
  const timeouts = {
    send: checkTimeout(t.send, "options.timeouts.send", DEFAULT_BUS_TIMEOUTS.send),
    sendAndWait: checkTimeout(
      t.sendAndWait,
      "options.timeouts.sendAndWait",
      DEFAULT_BUS_TIMEOUTS.sendAndWait,
    ),
    query: checkTimeout(t.query, "options.timeouts.query", DEFAULT_BUS_TIMEOUTS.query),
    publish: checkTimeout(t.publish, "options.timeouts.publish", DEFAULT_BUS_TIMEOUTS.publish),
  };
  const given = options.circuitBreaker;
  const shared = given !== undefined && given !== false &&
    typeof (given as CircuitBreaker).tryAcquire === "function";
  const breaker = given === false
    ? undefined
    : shared
    ? given as CircuitBreaker
    : createCircuitBreakerAt(given as CircuitBreakerOptions | undefined, "options.circuitBreaker");
  return {
    transport: options.transport,
    contracts: contracts as BusContracts,
    timeouts,
    retry: clientRetryPolicy(options.retry),
    breaker,
    ownBreaker: breaker !== undefined && !shared,
    guards: breakerGuards(options.transport),
    logger: checkLogger(
      options.logger,
      "options.logger",
      options.transport.logger ?? consoleLogger,
    ),
  };
}

/**
 * A registration's options as the transport gets them: checked, with the
 * bus's logger unless the registration names its own.
 */
export function handlerOptions(
  options: HandlerOptions | undefined,
  logger: Logger,
): HandlerOptions {
  const o = checkOptions(options, HANDLER_OPTION_KEYS) as HandlerOptions;
  if (o.retry !== undefined) checkRetryPolicy(o.retry, "options.retry");
  checkOptionalFunction(o.onParked, "options.onParked");
  checkOptionalFunction(o.onError, "options.onError");
  return { ...o, logger: checkLogger(o.logger, "options.logger", logger) };
}

/**
 * Logs the moves of a bus's own circuit breaker: opening as a warning, the
 * others as info, each naming the bus (its {@link busLabel}), its
 * transport's kind and peer (HTTP's url), since a service with several buses
 * has several breakers.
 */
export function logBreakerChanges(
  checked: {
    readonly breaker?: CircuitBreaker;
    readonly logger: Logger;
    readonly transport: Transport;
  },
  bus: string,
): (() => void) | undefined {
  const where = { bus, ...guardedBy(checked.transport) };
  return checked.breaker?.subscribe((change) => {
    const fields = { ...where, from: change.from, to: change.to };
    if (change.to === "open") checked.logger.warn("Circuit breaker opened", fields);
    else checked.logger.info("Circuit breaker moved", fields);
  });
}

/** What a bus's breaker guards: its transport's kind and peer (HTTP's url), where it has them. */
function guardedBy(transport: Transport): { transport?: string; peer?: string } {
  const { constructor, url } = transport as { constructor?: { name?: unknown }; url?: unknown };
  const kind = constructor?.name;
  return {
    ...(typeof kind === "string" && kind !== "Object" ? { transport: kind } : {}),
    ...(url === undefined ? {} : { peer: String(url) }),
  };
}

/**
 * What a bus's breaker guards, as its `CircuitOpenError` names it: the peer's
 * URL (HTTP), else the transport's kind; `undefined` when neither is known.
 */
export function breakerGuards(transport: Transport): string | undefined {
  const { transport: kind, peer } = guardedBy(transport);
  return peer ?? kind;
}

/** A bus as log lines name it: its `name`, else "default". */
export function busLabel(name: unknown): string {
  return typeof name === "string" && name !== "" ? name : "default";
}

/** A bus's name for its metrics: `name` when given and not empty. */
export function busName(name: unknown): string {
  if (name === undefined) return "default";
  if (typeof name !== "string" || name.length === 0) {
    throw new ValidationError("options.name", name, "must be a non-empty string");
  }
  return name;
}
