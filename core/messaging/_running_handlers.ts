// The handlers of one bus that are running now, by name: the one count of
// them, which the bus's close() waits for (after its transport has closed, so
// that no new call can start) and names when that takes long (a handler that
// never returns keeps close() waiting, and a service given SIGTERM from
// exiting). Every handler registered through the bus passes here, on every
// transport; the transports do not count handler calls again (see
// docs/decisions/messaging.md, "Closing": the query registry's own counter
// cost every async query a second promise).
//
// It sits on every call of every handler, so it costs next to nothing: a
// counter per registration (no map lookup per call), a fixed arity (no rest
// arguments), the settle callbacks made once per registration, no clock read
// per call; a handler that answers at once costs no promise, one that returns
// a promise one (handing back the handler's own promise, with the count's
// reaction beside it, measured the same). Its first version (rest arguments,
// a map and Date.now() per call) took in-process query dispatch from 8.2M to
// 3.2M calls/s (`npm run bench -- messaging`).

import { InFlight } from "../_in_flight.ts";

interface Slot {
  readonly label: string;
  count: number;
}

/** Counts running calls of the handlers it wraps, by label (`command "orders/place"`, `query "orders/show"`). */
export class RunningHandlers {
  // One slot per registration, kept for the bus's life (registrations are few).
  readonly #slots = new Set<Slot>();
  readonly #all = new InFlight();

  /**
   * `handler`, counted under `label` while it runs: until it returns a value
   * or throws, or until the promise it returns settles (a thenable's `then`
   * is called once, so a lazy query builder runs once).
   */
  wrap<A, B, R>(label: string, handler: (a: A, b: B) => R): (a: A, b: B) => R {
    const slot: Slot = { label, count: 0 };
    this.#slots.add(slot);
    const all = this.#all;
    const ended = () => {
      slot.count--;
      all.leave();
    };
    const settled = (value: unknown) => {
      ended();
      return value;
    };
    const failed = (error: unknown) => {
      ended();
      throw error;
    };
    return (a: A, b: B): R => {
      const result = handler(a, b);
      // A handler that returned (or threw) in the caller's turn has ended before any close()
      // or notice can look: only a promise is counted, and the hot path pays one typeof check.
      if (typeof (result as PromiseLike<unknown> | null)?.then !== "function") return result;
      slot.count++;
      all.enter();
      return Promise.resolve(result).then(settled, failed) as R;
    };
  }

  /** Resolves the next time no wrapped handler runs (at once when none does). */
  idle(): Promise<void> {
    return this.#all.idle();
  }

  /** What runs now, for a log line: `command "orders/place" (1 running)`. */
  describe(): string[] {
    const running = new Map<string, number>();
    for (const { label, count } of this.#slots) {
      if (count > 0) running.set(label, (running.get(label) ?? 0) + count);
    }
    return [...running].map(([label, count]) => `${label} (${count} running)`);
  }
}
