/**
 * The registrations a transport has handed out and not yet seen stopped, so
 * that closing the transport stops what is still running. Shared by the
 * transports that run their handlers as loops of their own (store-backed, NATS).
 *
 * @module
 */

import type { Registration } from "./transport.ts";

/**
 * A set of running registrations: each one `track`ed leaves the set when it
 * is stopped, and `stopAll` stops the rest.
 *
 * @example
 * ```ts
 * import { RunningRegistrations } from "./running_registrations.ts";
 * const running = new RunningRegistrations();
 * const registration = running.track({ ready: Promise.resolve(), stop: async () => {} });
 * await registration.stop(); // stopped, and no longer tracked
 * await running.stopAll(); // nothing left to stop
 * ```
 */
export class RunningRegistrations {
  readonly #running = new Set<Registration>();

  /** `registration`, tracked until it is stopped. */
  track(registration: Registration): Registration {
    const tracked: Registration = {
      ready: registration.ready,
      stop: async () => {
        this.#running.delete(tracked);
        await registration.stop();
      },
    };
    this.#running.add(tracked);
    return tracked;
  }

  /** Stops every registration still running, at once; resolves when all have stopped. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#running].map((registration) => registration.stop()));
  }
}
