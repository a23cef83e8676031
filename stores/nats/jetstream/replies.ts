/**
 * Request/reply for ordo's JetStream calls, lighter than the connection's
 * `request()`: every call publishes with a reply subject under one inbox,
 * whose single subscription hands answers back by subject, and one timer
 * sweeps calls past their deadline. The connection's own `request()` makes a
 * promise, a timer and (unless the connection was made with `noAsyncTraces`)
 * two errors with stack traces for every call; measured on Node 20, that was
 * about as much work as the rest of an acknowledged publish, and an append
 * makes two calls. Failures are shaped like the connection's: a
 * `NoResponders` error when nothing listens, a `TimeoutError` after the
 * deadline, a `ClosedConnectionError` once the connection is closed (within
 * one sweep, 100 ms, of its closing).
 *
 * @module
 */

import type { Msg, MsgHdrs, NatsConnection, Subscription } from "@nats-io/nats-core";

interface Pending {
  readonly resolve: (msg: Msg) => void;
  readonly reject: (error: Error) => void;
  readonly subject: string;
  readonly deadline: number;
}

function failure(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

// How often calls past their deadline are looked for, in milliseconds.
const SWEEP = 100;

/**
 * Calls over one connection through one inbox.
 *
 * @example
 * ```ts ignore
 * import { Replies } from "./replies.ts";
 * const replies = new Replies(nc);
 * const answer = await replies.request("$JS.API.INFO", new Uint8Array(0), { timeout: 2000 });
 * ```
 */
export class Replies {
  readonly #connection: NatsConnection;
  readonly #inbox = `_INBOX.ordo_r${crypto.randomUUID().replaceAll("-", "")}`;
  readonly #pending = new Map<string, Pending>();
  #subscription: Subscription | undefined;
  #sweeper: ReturnType<typeof setTimeout> | undefined;
  #next = 0;
  #closed = false;

  constructor(connection: NatsConnection) {
    this.#connection = connection;
  }

  /**
   * Publishes `data` to `subject` and resolves with the first answer.
   *
   * @throws an error named `NoResponders` when nothing listens on `subject`,
   *   `TimeoutError` when no answer came within `timeout` ms, or
   *   `ClosedConnectionError` when the connection is closed (also while the
   *   call waits)
   */
  request(
    subject: string,
    data: Uint8Array,
    options: { readonly timeout: number; readonly headers?: MsgHdrs },
  ): Promise<Msg> {
    if (this.#closed) {
      return Promise.reject(failure("ClosedConnectionError", "the calls were closed"));
    }
    this.#subscribe();
    const reply = `${this.#inbox}.${(this.#next++).toString(36)}`;
    return new Promise<Msg>((resolve, reject) => {
      this.#pending.set(reply, {
        resolve,
        reject,
        subject,
        deadline: performance.now() + options.timeout,
      });
      try {
        this.#connection.publish(subject, data, { reply, headers: options.headers });
      } catch (error) {
        this.#pending.delete(reply);
        reject(error);
        return;
      }
      this.#sweep();
    });
  }

  #subscribe(): void {
    if (this.#subscription !== undefined) return;
    this.#subscription = this.#connection.subscribe(`${this.#inbox}.*`, {
      callback: (error, msg) => {
        if (error !== null) return;
        const pending = this.#pending.get(msg.subject);
        if (pending === undefined) return;
        this.#pending.delete(msg.subject);
        if (msg.headers?.code === 503 && msg.data.length === 0) {
          pending.reject(failure("NoResponders", `no responders: '${pending.subject}'`));
        } else {
          pending.resolve(msg);
        }
      },
    });
  }

  // One timer while calls are pending, rejecting those past their deadline,
  // and every one once the connection is closed: no answer can come then, and
  // a call left to its deadline failed as a timeout, which callers retry (a
  // consumer logged "Consumer storage failed; retrying" after the connection
  // had closed for good, before the next call's ClosedError stopped it).
  #sweep(): void {
    if (this.#sweeper !== undefined) return;
    this.#sweeper = setTimeout(() => {
      this.#sweeper = undefined;
      if (this.#connection.isClosed?.() === true) {
        for (const pending of this.#pending.values()) {
          pending.reject(
            failure("ClosedConnectionError", "the connection closed before the answer came"),
          );
        }
        this.#pending.clear();
        return;
      }
      const now = performance.now();
      for (const [reply, pending] of this.#pending) {
        if (pending.deadline > now) continue;
        this.#pending.delete(reply);
        pending.reject(
          failure("TimeoutError", `timeout waiting for an answer on '${pending.subject}'`),
        );
      }
      if (this.#pending.size > 0) this.#sweep();
    }, SWEEP);
  }

  /** Rejects every call in progress and drops the subscription. */
  close(): void {
    this.#closed = true;
    for (const pending of this.#pending.values()) {
      pending.reject(failure("ClosedConnectionError", "the calls were closed"));
    }
    this.#pending.clear();
    if (this.#sweeper !== undefined) clearTimeout(this.#sweeper);
    this.#sweeper = undefined;
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
  }
}
