/**
 * NATS failures in ordo's terms. The connection's errors are told apart by
 * their `name` (nothing of `@nats-io` is imported at run time):
 *
 * - nothing answered: `RequestError` with "no responders", `NoResponders`,
 *   and `JetStreamNotEnabled`, which is what `@nats-io/jetstream` calls a
 *   request nobody answered. On a server with JetStream that means no stream
 *   or meta leader is there to answer, as during a leader election (measured
 *   on a 2.9 cluster: 4.8 to 5.7 s after the leader is killed), so ordo names
 *   it that way and makes it a retryable `StoreUnavailableError`;
 * - no answer in time (`TimeoutError`), a connection error ->
 *   `StoreUnavailableError`; whether a publish took effect is then unknown,
 *   and a retry with the same message ids is safe;
 * - a closed or draining connection (`ClosedConnectionError`,
 *   `DrainingConnectionError`) -> `ClosedError` naming the NATS connection:
 *   a NATS connection never opens again once closed, so no retry can work;
 * - a JetStream API answer with status 503 (JetStream temporarily
 *   unavailable, no quorum) -> `StoreUnavailableError`;
 * - anything else is returned unchanged, its cause intact.
 *
 * @module
 */

import {
  ClosedError,
  OrdoError,
  StoreUnavailableError,
  ValidationError,
} from "../../../core/mod.ts";
import { NATS_CONNECTION } from "./connection_watch.ts";
import { notedUnreachable } from "./connection_outages.ts";
import { JetStreamApiFailure, SubjectsInUse } from "./jetstream_api.ts";

const GONE = new Set(["ConnectionError", "TimeoutError"]);

// The connection is closed, or closing after a drain: for good.
const CLOSED = new Set(["ClosedConnectionError", "DrainingConnectionError"]);

/**
 * Whether `error` says the connection is closed for good.
 *
 * @example
 * ```ts
 * import { isClosedConnection } from "./translate_error.ts";
 * isClosedConnection({ name: "ClosedConnectionError", message: "closed connection" }); // true
 * ```
 */
export function isClosedConnection(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  return CLOSED.has((error as { name?: unknown }).name as string);
}

/**
 * Why nothing usable answered, or `undefined` when `error` is not an
 * unavailability: the detail of the `StoreUnavailableError` it becomes.
 *
 * @example
 * ```ts
 * import { unavailability } from "./translate_error.ts";
 * unavailability({ name: "JetStreamNotEnabled", message: "jetstream is not enabled" });
 * // "no JetStream server answered (no responders): the stream has no leader, as during a leader election (the client reports this as JetStreamNotEnabled)"
 * ```
 */
export function unavailability(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { name, message } = error as { name?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : "";
  if (name === "JetStreamNotEnabled") {
    return "no JetStream server answered (no responders): the stream has no leader, as during a leader election (the client reports this as JetStreamNotEnabled)";
  }
  if (name === "NoResponders" || (name === "RequestError" && /no responders/i.test(text))) {
    return "no JetStream server answered (no responders): the stream has no leader, as during a leader election, or JetStream is not running";
  }
  if (typeof name === "string" && GONE.has(name)) {
    return name === "TimeoutError"
      ? "the server did not answer in time; whether the operation took effect is unknown"
      : `the connection is not usable (${name}${text ? `: ${text}` : ""})`;
  }
  if (error instanceof JetStreamApiFailure && error.status === 503) {
    return `JetStream is temporarily unavailable: ${error.description}`;
  }
  return undefined;
}

/**
 * Translates an error thrown during `operation`.
 *
 * @example
 * ```ts
 * import { translateError } from "./translate_error.ts";
 * const error = translateError({ name: "TimeoutError", message: "timeout" }, "append");
 * console.log((error as Error).message);
 * // Store unavailable during append: the server did not answer in time; whether the operation took effect is unknown
 * ```
 */
export function translateError(error: unknown, operation: string): unknown {
  if (error instanceof OrdoError) return error;
  if (isClosedConnection(error)) {
    return new ClosedError(NATS_CONNECTION, operation, { cause: error });
  }
  const detail = unavailability(error);
  return detail === undefined ? error : new StoreUnavailableError(operation, detail, {
    cause: error,
    since: notedUnreachable(error),
  });
}

/**
 * A `setup()` failure as its caller should hear it: a stream found with
 * other subjects than the options give (`SubjectsInUse`) is the option's
 * mistake, a `ValidationError` at `path` naming the subjects the stream
 * holds; anything else as {@link translateError} gives it.
 *
 * @example
 * ```ts
 * import { SubjectsInUse } from "./jetstream_api.ts";
 * import { translateSetupError } from "./translate_error.ts";
 * const error = translateSetupError(new SubjectsInUse("ORDO", ["shop.>"], ["ordo.>"]), {
 *   path: "options.subjectPrefix",
 *   value: "ordo",
 * });
 * console.log((error as Error).name); // ValidationError
 * ```
 */
export function translateSetupError(
  error: unknown,
  option: { readonly path: string; readonly value: unknown },
): unknown {
  if (!(error instanceof SubjectsInUse)) return translateError(error, "setup");
  return new ValidationError(
    option.path,
    option.value,
    `stream "${error.stream}" exists with the subjects ${error.held.join(", ")}, not ` +
      `${error.wanted.join(", ")}, and setup() does not move a stream away from what it holds: ` +
      `pass the ${option.path.replace(/^options\./, "")} its other users are given${
        heldPrefix(error.held)
      }, or another stream name for a new one`,
  );
}

/** ` (shop)` for a stream holding `shop.>` alone, as a store's does; "" otherwise. */
function heldPrefix(held: readonly string[]): string {
  const prefix = held.length === 1 ? /^(.+)\.>$/.exec(held[0])?.[1] : undefined;
  return prefix === undefined ? "" : ` (${prefix})`;
}

/** JetStream's error code for replicas over 1 asked of a server that is not in a cluster. */
const NOT_CLUSTERED = 10074;

/**
 * A `setup()` refused because `replicas` asks for more than one replica of a
 * single server, as the option's mistake: a `ValidationError` at
 * `options.replicas` saying what to pass. A user who tried the scaling
 * guide's R3 setup on one local server met the server's words only
 * ("JetStream refused: replicas > 1 not supported in non-clustered mode",
 * untyped). Anything else is returned unchanged.
 *
 * @example
 * ```ts
 * import { JetStreamApiFailure } from "./jetstream_api.ts";
 * import { replicasRefused } from "./translate_error.ts";
 * const refused = new JetStreamApiFailure(500, 10074, "replicas > 1 not supported in non-clustered mode");
 * console.log((replicasRefused(refused, 3) as Error).name); // ValidationError
 * ```
 */
export function replicasRefused(error: unknown, replicas: number): unknown {
  if (!(error instanceof JetStreamApiFailure) || error.errCode !== NOT_CLUSTERED) return error;
  return new ValidationError(
    "options.replicas",
    replicas,
    `the NATS server is not in a cluster, and JetStream keeps more than one replica only in ` +
      `one (the server said: ${error.description}): pass replicas: 1 to a single server, or ` +
      `run ${replicas} or more nats-servers clustered (docs/guide/scaling.md)`,
    { cause: error },
  );
}
