/**
 * Coalesced sequencer runs for one store. An append that committed rows
 * without global positions asks for a round; a round numbers every committed
 * row (PostgreSQL's `sequence(NULL)`), so all appends that committed before it
 * started share it. One round runs at a time per store, and requests made
 * while it runs all join the next one: sixteen writers cost one numbering
 * transaction at a time, not sixteen queued on the sequencer lock.
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
 * import { SequencerRounds } from "./sequencer_rounds.ts";
 * let runs = 0;
 * const rounds = new SequencerRounds(async () => { runs++; });
 * await Promise.all([rounds.request(), rounds.request(), rounds.request()]);
 * runs; // 1: the three requests were made before any round started
 * ```
 */
export class SequencerRounds {
  readonly #runRound: () => Promise<void>;
  // The round that has not started yet, which every new request joins.
  #next: Round | undefined;
  #draining: Promise<void> | undefined;

  constructor(runRound: () => Promise<void>) {
    this.#runRound = runRound;
  }

  /**
   * Asks for a round that starts after this call. Resolves when that round
   * has numbered every row committed before it started; rejects with the
   * round's error. A caller that does not await it loses nothing: a failed
   * round's rows wait for the store's other fallbacks.
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
