/**
 * Coalesced rounds of one background job for one store: the NOTIFY that
 * tells readers the new readable head after appends commit. A round that
 * starts after an append committed covers it, so all appends that committed
 * before a round started share it. One round runs at a time, and requests made
 * while it runs all join the next one: sixteen writers cost one NOTIFY at a
 * time, not one each.
 *
 * @module
 */

interface Round {
  readonly done: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Runs `runRound` for pending requests, one round at a time.
 *
 * @example
 * ```ts
 * import { CoalescedRounds } from "./coalesced_rounds.ts";
 * let runs = 0;
 * const rounds = new CoalescedRounds(async () => { runs++; });
 * await Promise.all([rounds.request(), rounds.request(), rounds.request()]);
 * runs; // 1: the three requests were made before any round started
 * ```
 */
export class CoalescedRounds {
  readonly #runRound: () => Promise<void>;
  // The round that has not started yet, which every new request joins.
  #next: Round | undefined;
  #draining: Promise<void> | undefined;

  constructor(runRound: () => Promise<void>) {
    this.#runRound = runRound;
  }

  /**
   * Asks for a round that starts after this call. Resolves when that round
   * has run; rejects with the round's error. A caller that does not await it
   * loses nothing the job would not redo: readers also poll.
   */
  request(): Promise<void> {
    this.#next ??= newRound();
    const done = this.#next.done;
    this.#draining ??= this.#drain();
    return done;
  }

  /** Resolves once no round is running or waiting to run. */
  async idle(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
  }

  async #drain(): Promise<void> {
    // Requests made in the same turn as the first one join its round.
    await Promise.resolve();
    while (this.#next !== undefined) {
      const round = this.#next;
      this.#next = undefined;
      try {
        await this.#runRound();
        round.resolve();
      } catch (error) {
        round.reject(error);
      }
    }
    this.#draining = undefined;
  }
}

function newRound(): Round {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Requests that are not awaited must not surface as unhandled rejections.
  done.catch(() => {});
  return { done, resolve, reject };
}
