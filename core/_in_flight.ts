// A count of work that has started and not ended, and the waits for it to
// reach zero: what a `close()` waits for. The close gate counts a component's
// calls in flight with it, the bus its handlers' running calls
// (messaging/_running_handlers.ts); one class, so that the two cannot drift
// apart (the query registry once kept a third copy of it).
//
// It sits on hot paths (every query a bus answers): `enter` and `leave` are a
// field's increment and decrement, and the waits cost nothing until someone
// waits.

const READY = Promise.resolve();

/** Work in flight, counted; `idle()` resolves when none is. */
export class InFlight {
  #count = 0;
  #waiting: (() => void)[] = [];

  /** How many have entered and not left. */
  get count(): number {
    return this.#count;
  }

  /** One more in flight. */
  enter(): void {
    this.#count++;
  }

  /** One fewer in flight: at zero, every `idle()` waiting resolves. */
  leave(): void {
    if (--this.#count === 0 && this.#waiting.length > 0) {
      for (const wake of this.#waiting.splice(0)) wake();
    }
  }

  /** Resolves the next time none is in flight (at once when none is now). */
  idle(): Promise<void> {
    if (this.#count === 0) return READY;
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
}
