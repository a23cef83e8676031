/**
 * What "closed means closed" takes, for every component (store, bus,
 * transport, consumer): after `close()` every call is refused with
 * `ClosedError`; `close()` is idempotent (every call gets the first one's
 * promise) and resolves only after the work in flight has finished and the
 * component has released what it holds.
 *
 * @module
 */

import { ClosedError } from "./errors.ts";
import type { Logger } from "./logger.ts";
import { InFlight } from "./_in_flight.ts";
import { unrefTimer } from "./_unref_timer.ts";

/**
 * When a close still waiting is reported. Once: a timer that repeats would
 * keep Deno alive (its unref does not stop a timer from holding the process
 * there), where a close that can never end should let the process end.
 */
export const SLOW_CLOSE_NOTICE: { readonly afterMs: number } = Object.freeze({ afterMs: 5_000 });

/**
 * Calls `notice` once with the whole seconds waited, if `waited` is still
 * pending {@link SLOW_CLOSE_NOTICE}'s `afterMs` from now; its timer is
 * cleared as `waited` settles (either way), and never keeps the process
 * alive: a close or stop that can never end must still let a script exit.
 * Watching `waited` marks its rejection handled: pass a promise whose
 * failure no one else needs to hear of through an unhandled rejection.
 */
export function noticeSlowWait(waited: Promise<unknown>, notice: (seconds: number) => void): void {
  const started = Date.now();
  const timer = setTimeout(
    () => notice(Math.round((Date.now() - started) / 1000)),
    SLOW_CLOSE_NOTICE.afterMs,
  );
  unrefTimer(timer);
  const clear = () => clearTimeout(timer);
  waited.then(clear, clear);
}

/**
 * How a close that takes long is reported: a handler that never returns
 * keeps `close()` waiting, and a service given SIGTERM then never exits;
 * without a word that looks like a hang of ordo's.
 */
export interface CloseNotice {
  /** Where the warning goes. */
  readonly logger: Logger;
  /** What else the close waits for besides the gate's calls (running handlers), for the log. */
  readonly waitingFor?: () => readonly string[];
  /** Which component this is (`{ bus: "orders" }`), first in the line. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/**
 * The open or closed state of one component and its calls in flight.
 *
 * @example
 * ```ts
 * import { CloseGate } from "./closing.ts";
 * const gate = new CloseGate("store");
 * await gate.run("readAll", async () => []);
 * await gate.close(async () => {});
 * await gate.run("readAll", async () => []).catch((error) => console.log(error.message));
 * // Cannot readAll: the store is closed
 * ```
 */
export class CloseGate {
  /** What is closed, as {@link ClosedError} names it (`store`, `bus`, `transport`, `consumer`). */
  readonly component: string;
  #closed = false;
  #closing: Promise<void> | undefined;
  readonly #inFlight = new InFlight();

  /** A gate for `component`, open. */
  constructor(component: string) {
    this.component = component;
  }

  /** True from the first `close()` on. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Refuses `operation` once the component is closed.
   *
   * @throws {ClosedError} naming `operation` once the component is closed
   */
  ensureOpen(operation: string): void {
    if (this.#closed) throw new ClosedError(this.component, operation);
  }

  /** The refusal of `operation` on the closed component, as a rejected promise. */
  refuse<T = never>(operation: string): Promise<T> {
    return Promise.reject(new ClosedError(this.component, operation));
  }

  /**
   * Runs `work` unless the component is closed (then rejects with
   * `ClosedError`), counting it in flight so that `close()` waits for it.
   */
  async run<T>(operation: string, work: () => Promise<T>): Promise<T> {
    this.ensureOpen(operation);
    this.#inFlight.enter();
    try {
      return await work();
    } finally {
      this.#inFlight.leave();
    }
  }

  /**
   * Closes: refuses every later call at once, waits for the work in flight,
   * then runs `release`. Idempotent: later calls get the first call's promise.
   * With `notice`, a close still waiting after {@link SLOW_CLOSE_NOTICE}'s
   * `afterMs` is logged as a warning, once, saying what it waits for (on Node
   * and Bun the timer does not keep the process alive).
   */
  close(release?: () => Promise<void> | void, notice?: CloseNotice): Promise<void> {
    this.#closing ??= this.#close(release, notice);
    return this.#closing;
  }

  async #close(
    release: (() => Promise<void> | void) | undefined,
    notice: CloseNotice | undefined,
  ): Promise<void> {
    this.#closed = true;
    const finished = this.#finish(release);
    // Watched apart from the promise close() returns, whose rejection stays the caller's to handle.
    if (notice !== undefined) {
      noticeSlowWait(finished, (seconds) => this.#noticeSlowClose(notice, seconds));
    }
    await finished;
  }

  async #finish(release: (() => Promise<void> | void) | undefined): Promise<void> {
    while (this.#inFlight.count > 0) await this.#inFlight.idle();
    await release?.();
  }

  #noticeSlowClose({ logger, waitingFor, fields }: CloseNotice, seconds: number): void {
    const waiting = [
      ...(this.#inFlight.count > 0 ? [`${this.#inFlight.count} call(s) in flight`] : []),
      ...(waitingFor?.() ?? []),
    ];
    logger.warn(`Closing the ${this.component} is still waiting`, {
      ...fields,
      seconds,
      waitingFor: waiting.length === 0 ? "its transport or store to close" : waiting.join(", "),
      hint: "close() waits for every running handler and call; one that never returns " +
        "keeps it waiting (and a process given SIGTERM from exiting)",
    });
  }
}
