/**
 * What a NATS adapter (the store, the transport) learns of the connection it
 * was given: when it closes for good. A NATS connection that closes never
 * opens again: the client closes it after `maxReconnectAttempts` failed reconnects (10 by
 * default, about 20 s), or the application closed it. Retrying over it can
 * never work, so from then on every call over it fails with `ClosedError`
 * naming the connection, and each adapter says so once in its log (at error
 * level when the client gave up) instead of retrying in silence.
 *
 * @module
 */

import type { NatsConnection } from "@nats-io/nats-core";
import { ClosedError, type Logger } from "../../../core/mod.ts";

/** What `ClosedError` names once the connection is closed: "the NATS connection is closed". */
export const NATS_CONNECTION = "NATS connection";

// One listener of the connection's close, however many adapters share the
// connection; each adapter's watch registers here.
interface Shared {
  readonly onClosed: Set<(error: Error | undefined) => void>;
}

const connections = new WeakMap<NatsConnection, Shared>();

function shared(connection: NatsConnection): Shared {
  const known = connections.get(connection);
  if (known !== undefined) return known;
  const state: Shared = { onClosed: new Set() };
  connections.set(connection, state);
  // A stand-in connection without it (a test's) is never seen closed.
  if (typeof connection.closed === "function") {
    void connection.closed().then(
      (error) => {
        for (const listener of [...state.onClosed]) listener(error ?? undefined);
      },
      (error) => {
        for (const listener of [...state.onClosed]) listener(error as Error);
      },
    );
  }
  return state;
}

/** Options of a {@link ConnectionWatch}. */
export interface ConnectionWatchOptions {
  /** The adapter, as its log line names it (`store`, `transport`). */
  readonly component: string;
  /** What to close before the connection, for the hint (`store.close()`). */
  readonly closeFirst: string;
  readonly logger: Logger;
  /** Fields of the log line naming the adapter (its stream). */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** Called once when the connection closes before the adapter's `stop()`: release what retries. */
  readonly onClosed: () => void;
}

/**
 * Watches one adapter's connection until the adapter closes (`stop()`).
 *
 * @example
 * ```ts ignore
 * import { ConnectionWatch } from "./connection_watch.ts";
 * const watch = new ConnectionWatch(nc, {
 *   component: "store", closeFirst: "store.close()", logger, onClosed: () => stopFollowing(),
 * });
 * if (watch.closed) throw watch.closedError("append"); // once nc is closed
 * ```
 */
export class ConnectionWatch {
  readonly #connection: NatsConnection;
  readonly #state: Shared;
  readonly #options: ConnectionWatchOptions;
  readonly #listener: (error: Error | undefined) => void;
  #closed = false;

  constructor(connection: NatsConnection, options: ConnectionWatchOptions) {
    this.#connection = connection;
    this.#options = options;
    this.#state = shared(connection);
    this.#listener = (error) => this.#lost(error);
    this.#state.onClosed.add(this.#listener);
  }

  /** True once the connection is closed for good. */
  get closed(): boolean {
    return this.#closed ||
      (typeof this.#connection.isClosed === "function" && this.#connection.isClosed());
  }

  /** The refusal of `operation` over the closed connection. */
  closedError(operation: string, cause?: unknown): ClosedError {
    return new ClosedError(NATS_CONNECTION, operation, { cause });
  }

  /** The adapter closed itself: the connection's close is no longer its concern. */
  stop(): void {
    this.#state.onClosed.delete(this.#listener);
  }

  #lost(error: Error | undefined): void {
    this.#state.onClosed.delete(this.#listener);
    this.#closed = true;
    const { component, closeFirst, logger, fields } = this.#options;
    const after = `every call of the ${component} now fails with ClosedError`;
    // The client gave up (or the server refused it): nothing works until the service is restarted.
    if (error !== undefined) {
      logger.error(`NATS connection closed for good; the ${component} stops`, {
        ...fields,
        error,
        hint: "the client gave up reconnecting (after maxReconnectAttempts, 10 by default): " +
          "connect with maxReconnectAttempts: -1 so that it keeps trying, or restart the service; " +
          after,
      });
    } else {
      // The application closed it first: a shutdown in the wrong order, or a bug.
      logger.warn(`NATS connection closed while the ${component} is open; the ${component} stops`, {
        ...fields,
        hint: `close ${closeFirst} before the connection; ${after}`,
      });
    }
    try {
      this.#options.onClosed();
    } catch (thrown) {
      logger.error(`Releasing the ${component} after its NATS connection closed failed`, {
        ...fields,
        error: thrown,
      });
    }
  }
}
