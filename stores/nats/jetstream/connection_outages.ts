/**
 * When a NATS connection was down, from its status events: the client says
 * `disconnect` (with the server it lost) and `reconnect` once it is back. A
 * call that timed out can then be told the connection was reconnecting
 * during its wait, rather than only that no handler answered; and work that
 * would only wait for the connection (deleting a consumer at close) can be
 * skipped while it is down. One listener per connection, however many
 * adapters share it; nothing it holds keeps a process alive.
 *
 * @module
 */

import type { NatsConnection } from "@nats-io/nats-core";

/** The part of a window a connection spent reconnecting. */
export interface OutageDuring {
  /** The server it lost (`host:port`), the last one when it lost several. */
  readonly server: string;
  /** Milliseconds of the window it was down. */
  readonly downMs: number;
  /** True when it is down still. */
  readonly still: boolean;
}

interface Outage {
  readonly server: string;
  /** `Date.now()` when it went down. */
  readonly from: number;
  /** `Date.now()` when it was back; absent while down. */
  to?: number;
}

// Outages kept: enough for any call's deadline, however many blips it spans.
const KEPT = 16;

/**
 * The outages of one connection.
 *
 * @example
 * ```ts ignore
 * import { connectionOutages } from "./connection_outages.ts";
 * const outages = connectionOutages(nc);
 * const started = Date.now();
 * // … a call that got no answer …
 * outages.during(started); // { server: "127.0.0.1:4222", downMs: 1900, still: true }, or undefined
 * ```
 */
export class ConnectionOutages {
  readonly #outages: Outage[] = [];

  /** True while the connection is reconnecting (known from its status events). */
  get down(): boolean {
    const last = this.#outages.at(-1);
    return last !== undefined && last.to === undefined;
  }

  /** The connection went down (a `disconnect` event). */
  lost(server: string, at = Date.now()): void {
    if (this.down) return;
    this.#outages.push({ server, from: at });
    if (this.#outages.length > KEPT) this.#outages.shift();
  }

  /** The connection is back (a `reconnect` event). */
  back(at = Date.now()): void {
    const last = this.#outages.at(-1);
    if (last !== undefined && last.to === undefined) last.to = at;
  }

  /**
   * When the connection was lost, if it was down at some time from `since`
   * to `now`: the start of the last such outage (which may be before
   * `since`); `undefined` when it was up all along.
   */
  lostAt(since: number, now = Date.now()): number | undefined {
    for (let i = this.#outages.length - 1; i >= 0; i--) {
      const outage = this.#outages[i];
      if (outage.from <= now && (outage.to ?? now) >= since) return outage.from;
    }
    return undefined;
  }

  /**
   * Since when a call started at `started` that got no usable answer says
   * the server is unreachable: the loss of the connection during it when
   * that was earlier, else `started` itself (nothing answered from then on).
   * `started` alone for a call that waits by design (a long poll): then
   * `true` keeps only the connection's loss, `undefined` for none.
   */
  unreachableSince(started: number, waitsByDesign = false, now = Date.now()): number | undefined {
    const lost = this.lostAt(started, now);
    if (waitsByDesign) return lost;
    return lost === undefined ? started : Math.min(lost, started);
  }

  /** How much of the window from `since` to `now` the connection was down; `undefined` for none. */
  during(since: number, now = Date.now()): OutageDuring | undefined {
    let downMs = 0;
    let server: string | undefined;
    for (const outage of this.#outages) {
      const overlap = Math.min(outage.to ?? now, now) - Math.max(outage.from, since);
      if (overlap <= 0) continue;
      downMs += overlap;
      server = outage.server;
    }
    return server === undefined ? undefined : { server, downMs, still: this.down };
  }
}

const known = new WeakMap<NatsConnection, ConnectionOutages>();

// Since when each failed call's error says the server was unreachable (see
// `noteUnreachable`): kept beside the error, as the client made it.
const unreachable = new WeakMap<object, number>();

/**
 * Notes on a call's `error` since when (ms since the epoch) the server was
 * unreachable for it, for `translateError` to put on the
 * `StoreUnavailableError` it makes (whose outage line counts from it);
 * returns `error`. Not an object (nothing the client throws): nothing noted.
 *
 * @example
 * ```ts
 * import { notedUnreachable, noteUnreachable } from "./connection_outages.ts";
 * const error = noteUnreachable(new Error("timeout"), 1_700_000_000_000);
 * notedUnreachable(error); // 1700000000000
 * ```
 */
export function noteUnreachable<E>(error: E, since: number | undefined): E {
  if (since !== undefined && typeof error === "object" && error !== null) {
    if (!unreachable.has(error)) unreachable.set(error, since);
  }
  return error;
}

/** What {@link noteUnreachable} noted on `error`; `undefined` for nothing. */
export function notedUnreachable(error: unknown): number | undefined {
  return typeof error === "object" && error !== null ? unreachable.get(error) : undefined;
}

/**
 * The outages of `connection`, followed from the first call on (the client's
 * status events are not replayed: an outage in progress before it is not known).
 */
export function connectionOutages(connection: NatsConnection): ConnectionOutages {
  let outages = known.get(connection);
  if (outages !== undefined) return outages;
  outages = new ConnectionOutages();
  known.set(connection, outages);
  // A stand-in connection without it (a test's) has no outages.
  if (typeof connection.status === "function") void follow(connection, outages);
  return outages;
}

// The status iterator ends when the connection closes. The client never
// fails it; if one did, later outages would go unknown, which costs a hint
// (and a quick close), never a call: not worth an unhandled rejection.
async function follow(connection: NatsConnection, outages: ConnectionOutages): Promise<void> {
  try {
    for await (const status of connection.status()) {
      if (status.type === "disconnect") outages.lost(status.server);
      else if (status.type === "reconnect") outages.back();
    }
  } catch {
    // See above: nothing to tell, and no one to tell it to.
  }
}
