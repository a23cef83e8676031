/**
 * A circuit breaker: after `failureThreshold` failures in a row it opens and
 * refuses calls at once for `coolDown` ms, then lets `halfOpenCalls` trial
 * calls through (half-open); `successThreshold` trial successes close it, one
 * trial failure opens it again. Time comes from an injectable clock, so its
 * state machine can be tested without waiting.
 *
 * @module
 */

import { checkCount, checkDelay, checkOptionalFunction, checkOptions } from "../options.ts";

const BREAKER_OPTION_KEYS: readonly string[] = [
  "failureThreshold",
  "coolDown",
  "halfOpenCalls",
  "successThreshold",
  "clock",
  "onStateChange",
];

/** The breaker's states. */
export type CircuitState = "closed" | "open" | "half-open";

/** A state change, as reported to listeners. */
export interface CircuitStateChange {
  /** The state left. */
  readonly from: CircuitState;
  /** The state entered. */
  readonly to: CircuitState;
  /** Clock time of the change, in milliseconds. */
  readonly at: number;
}

/** Options of {@link createCircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open a closed breaker. Default 5. */
  readonly failureThreshold?: number;
  /** Milliseconds an open breaker refuses calls before it lets trials through. Default 10,000. */
  readonly coolDown?: number;
  /** Trial calls allowed at once while half-open. Default 1. */
  readonly halfOpenCalls?: number;
  /** Trial successes that close a half-open breaker. Default 1. */
  readonly successThreshold?: number;
  /** Milliseconds now; default `Date.now`. */
  readonly clock?: () => number;
  /** Called on every state change; must not throw. */
  readonly onStateChange?: (change: CircuitStateChange) => void;
}

/** A circuit breaker; see {@link createCircuitBreaker}. */
export interface CircuitBreaker {
  /** The current state; reading it moves an open breaker whose cool-down has passed to half-open. */
  readonly state: CircuitState;
  /** Milliseconds until an open breaker lets a trial through; 0 unless open. */
  readonly retryAfter: number;
  /**
   * Asks to make a call: `true` means go ahead, and report the outcome with
   * exactly one of {@link CircuitBreaker.success} or {@link CircuitBreaker.failure}
   * (or {@link CircuitBreaker.release} if the call was never made); `false` means refused.
   */
  tryAcquire(): boolean;
  /** Reports that an acquired call succeeded. */
  success(): void;
  /**
   * Reports that an acquired call failed in a way that says the other side is
   * unhealthy; `error`, when given, is kept as {@link CircuitBreaker.openedBy}
   * if this failure opens the breaker.
   */
  failure(error?: unknown): void;
  /** The failure that opened the breaker last (what `failure` was given), while it is not closed. */
  readonly openedBy?: unknown;
  /** Returns an acquired slot whose outcome says nothing about health (a bad request, a cancelled call). */
  release(): void;
  /** Adds a state-change listener; returns the function that removes it. */
  subscribe(listener: (change: CircuitStateChange) => void): () => void;
}

/**
 * Creates a circuit breaker, closed.
 *
 * @throws {ValidationError} naming the option that is out of range or unknown
 * @example
 * ```ts
 * import { createCircuitBreaker } from "./circuit_breaker.ts";
 * const breaker = createCircuitBreaker({ failureThreshold: 2, coolDown: 1000 });
 * for (let i = 0; i < 2; i++) if (breaker.tryAcquire()) breaker.failure();
 * console.log(breaker.state, breaker.tryAcquire()); // "open" false
 * ```
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  return new Breaker(options, "options");
}

/**
 * {@link createCircuitBreaker} for options given inside others: a refusal
 * names the option at `path` (`options.circuitBreaker.failureThreshold`).
 *
 * @internal
 */
export function createCircuitBreakerAt(
  options: CircuitBreakerOptions | undefined,
  path: string,
): CircuitBreaker {
  return new Breaker(options ?? {}, path);
}

class Breaker implements CircuitBreaker {
  readonly #failureThreshold: number;
  readonly #coolDown: number;
  readonly #halfOpenCalls: number;
  readonly #successThreshold: number;
  readonly #clock: () => number;
  readonly #listeners = new Set<(change: CircuitStateChange) => void>();
  #state: CircuitState = "closed";
  #failures = 0;
  #successes = 0;
  #trials = 0;
  #openedAt = 0;
  #lastFailure: unknown = undefined;
  #openedBy: unknown = undefined;

  constructor(options: CircuitBreakerOptions, path: string) {
    checkOptions(options, BREAKER_OPTION_KEYS, path);
    this.#failureThreshold = checkCount(options.failureThreshold, `${path}.failureThreshold`, 5);
    this.#halfOpenCalls = checkCount(options.halfOpenCalls, `${path}.halfOpenCalls`, 1);
    this.#successThreshold = checkCount(options.successThreshold, `${path}.successThreshold`, 1);
    this.#coolDown = checkDelay(options.coolDown, `${path}.coolDown`, 10_000);
    checkOptionalFunction(options.clock, `${path}.clock`);
    checkOptionalFunction(options.onStateChange, `${path}.onStateChange`);
    this.#clock = options.clock ?? Date.now;
    if (options.onStateChange !== undefined) this.#listeners.add(options.onStateChange);
  }

  get state(): CircuitState {
    if (this.#state === "open" && this.#clock() - this.#openedAt >= this.#coolDown) {
      this.#move("half-open");
    }
    return this.#state;
  }

  get retryAfter(): number {
    return this.state === "open" ? Math.max(0, this.#openedAt + this.#coolDown - this.#clock()) : 0;
  }

  tryAcquire(): boolean {
    switch (this.state) {
      case "closed":
        return true;
      case "open":
        return false;
      case "half-open":
        if (this.#trials >= this.#halfOpenCalls) return false;
        this.#trials++;
        return true;
    }
  }

  success(): void {
    if (this.#state === "closed") {
      this.#failures = 0;
    } else if (this.#state === "half-open") {
      this.#trials = Math.max(0, this.#trials - 1);
      if (++this.#successes >= this.#successThreshold) this.#move("closed");
    }
  }

  get openedBy(): unknown {
    return this.#state === "closed" ? undefined : this.#openedBy;
  }

  failure(error?: unknown): void {
    this.#lastFailure = error;
    if (this.#state === "closed") {
      if (++this.#failures >= this.#failureThreshold) this.#open();
    } else if (this.#state === "half-open") {
      this.#open();
    }
  }

  release(): void {
    if (this.#state === "half-open") this.#trials = Math.max(0, this.#trials - 1);
  }

  subscribe(listener: (change: CircuitStateChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #open(): void {
    this.#openedAt = this.#clock();
    this.#openedBy = this.#lastFailure;
    this.#move("open");
  }

  #move(to: CircuitState): void {
    const from = this.#state;
    this.#state = to;
    this.#failures = 0;
    this.#successes = 0;
    this.#trials = 0;
    const change = { from, to, at: this.#clock() };
    for (const listener of this.#listeners) listener(change);
  }
}
