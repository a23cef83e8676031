/**
 * What the NATS adapters take from the caller: a connection from any of the
 * `@nats-io` transports (`connect` from `@nats-io/transport-node`, `wsconnect`
 * from `@nats-io/nats-core`, `@nats-io/transport-deno`) and the `headers`
 * factory of the same package. Only their types are imported, so the adapters
 * load from a URL with no import map; the one runtime value they need from a
 * `@nats-io` package, a headers object for JetStream's publish headers, is
 * made by the factory the caller passes.
 *
 * @module
 */

import type { MsgHdrs, NatsConnection } from "@nats-io/nats-core";
import { ValidationError } from "../../../core/mod.ts";

/** Makes an empty headers object: `headers` from `@nats-io/nats-core` or `@nats-io/transport-node`. */
export type HeadersFactory = () => MsgHdrs;

/** The connection and the headers factory, checked. */
export interface NatsDriver {
  readonly connection: NatsConnection;
  readonly headers: HeadersFactory;
}

/**
 * Checks that `connection` is a NATS connection and `headers` a headers factory.
 *
 * @throws {ValidationError} naming the argument that is not what it should be
 * @example
 * ```ts ignore
 * import { connect, headers } from "@nats-io/transport-node";
 * import { validateDriver } from "./driver.ts";
 * const driver = validateDriver(await connect(), headers);
 * ```
 */
export function validateDriver(connection: unknown, headers: unknown): NatsDriver {
  const nc = connection as Partial<NatsConnection> | null;
  if (
    typeof nc !== "object" || nc === null || typeof nc.request !== "function" ||
    typeof nc.subscribe !== "function" || typeof nc.publish !== "function"
  ) {
    throw new ValidationError(
      "connection",
      connection,
      "expected a NATS connection, from connect() of @nats-io/transport-node or wsconnect() of @nats-io/nats-core",
    );
  }
  if (typeof headers !== "function") {
    throw new ValidationError(
      "options.headers",
      headers,
      'expected the headers factory: import { headers } from "@nats-io/transport-node"',
    );
  }
  return { connection: nc as NatsConnection, headers: headers as HeadersFactory };
}
