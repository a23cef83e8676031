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
  #inFlight = 0;
  #idle: (() => void)[] = [];

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
    this.#inFlight++;
    try {
      return await work();
    } finally {
      if (--this.#inFlight === 0) { for (const wake of this.#idle.splice(0)) wake(); }
    }
  }

  /**
   * Closes: refuses every later call at once, waits for the work in flight,
   * then runs `release`. Idempotent: later calls get the first call's promise.
   */
  close(release?: () => Promise<void> | void): Promise<void> {
    this.#closing ??= this.#close(release);
    return this.#closing;
  }

  async #close(release: (() => Promise<void> | void) | undefined): Promise<void> {
    this.#closed = true;
    while (this.#inFlight > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
    await release?.();
  }
}
