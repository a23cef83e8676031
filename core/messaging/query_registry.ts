/**
 * Query handlers by name, for transports that answer queries in this process.
 *
 * @module
 */

import { NotFoundError, ValidationError } from "../errors.ts";
import {
  ATTR,
  errorType,
  type Histogram,
  METRIC,
  operationAttributes,
  type Telemetry,
} from "../telemetry/mod.ts";
import { asHandlerAnswer } from "./handler_answers.ts";
import { serviceOf } from "./names.ts";
import { settledOrAborted } from "../_settled_or_aborted.ts";
import type {
  QueryContext,
  QueryEndpoint,
  QueryEnvelope,
  Registration,
  TransportCallOptions,
} from "./transport.ts";

const READY = Promise.resolve();

/**
 * The error for a query nobody handles.
 *
 * @example
 * ```ts
 * import { unknownQueryError } from "./query_registry.ts";
 * unknownQueryError("orders/nope").message; // Cannot find query "orders/nope": no handler is registered for it
 * ```
 */
export function unknownQueryError(name: string): NotFoundError {
  return new NotFoundError("query", name, "no handler is registered for it");
}

/**
 * A name -> handler table with a direct dispatch path.
 *
 * @example
 * ```ts
 * import { QueryRegistry } from "./query_registry.ts";
 * const queries = new QueryRegistry();
 * queries.register("orders/show", (payload) => ({ shown: payload }));
 * await queries.dispatch({ name: "orders/show", payload: 1 }); // { shown: 1 }
 * ```
 */
export class QueryRegistry {
  // Handler and its (frozen, shared) context in one entry: one lookup per call.
  readonly #handlers = new Map<
    string,
    { readonly handler: QueryEndpoint; readonly context: QueryContext }
  >();
  readonly #telemetry: Telemetry | undefined;
  readonly #duration: Histogram | undefined;
  // No count of the handler calls running: a bus counts them, once, for every
  // transport, and its close() waits for them (_running_handlers.ts). A second
  // count here cost every async query a promise more.

  /**
   * A registry whose handler calls are `process <name>` spans (SERVER, the
   * caller's child) when `telemetry` is given and records.
   */
  constructor(telemetry?: Telemetry) {
    this.#telemetry = telemetry?.enabled === true ? telemetry : undefined;
    this.#duration = this.#telemetry?.histogram(METRIC.processDuration, {
      unit: "s",
      description: "Duration of one handler call",
    });
  }

  /** Registers the one handler of a query name. @throws {ValidationError} when the name is taken */
  register(name: string, handler: QueryEndpoint): Registration {
    serviceOf(name, "query");
    if (this.#handlers.has(name)) {
      throw new ValidationError("query", name, "a handler is already registered for it");
    }
    const entry = { handler, context: Object.freeze({ name }) };
    this.#handlers.set(name, entry);
    return {
      ready: READY,
      stop: () => {
        if (this.#handlers.get(name) === entry) this.#handlers.delete(name);
        return READY;
      },
    };
  }

  /** Whether a handler of `name` is registered. */
  has(name: string): boolean {
    return this.#handlers.has(name);
  }

  /** The names with a handler. */
  names(): string[] {
    return [...this.#handlers.keys()];
  }

  /**
   * Calls the handler and returns what it returned (a value or a promise), in
   * the caller's turn: the path of transports that answer queries directly.
   * @throws {NotFoundError} from {@link unknownQueryError} when there is no handler, and what the handler throws
   */
  answer(query: QueryEnvelope): unknown {
    const entry = this.#handlers.get(query.name);
    if (entry === undefined) throw unknownQueryError(query.name);
    if (this.#telemetry === undefined) {
      return query.trace === undefined
        ? entry.handler(query.payload, entry.context)
        : entry.handler(query.payload, { name: query.name, trace: query.trace });
    }
    return this.#traced(entry.handler, query);
  }

  async #traced(handler: QueryEndpoint, query: QueryEnvelope): Promise<unknown> {
    const span = this.#telemetry!.startSpan(`process ${query.name}`, {
      kind: "server",
      parent: query.trace,
      root: query.trace === undefined,
      attributes: operationAttributes("process", query.name),
    });
    const attributes = { [ATTR.system]: "ordo", [ATTR.destination]: query.name };
    const started = performance.now();
    let failure: string | undefined;
    try {
      return await handler(query.payload, { name: query.name, trace: span.context });
    } catch (error) {
      failure = errorType(error);
      span.fail(error);
      throw error;
    } finally {
      span.end();
      this.#duration!.record(
        (performance.now() - started) / 1000,
        failure === undefined ? attributes : { ...attributes, [ATTR.errorType]: failure },
      );
    }
  }

  /**
   * Calls the handler; rejects with {@link unknownQueryError} when there is
   * none. A handler takes no signal: when `options.signal` aborts (the
   * caller's deadline, its own abort), the call rejects with its reason at
   * once, and the handler runs to its end unheard. A handler that answered
   * in this turn leaves nothing to wait for: the signal is not read then (a
   * call scope makes its AbortController on first read).
   */
  dispatch(query: QueryEnvelope, options?: TransportCallOptions): Promise<unknown> {
    let returned: unknown;
    try {
      returned = this.answer(query);
    } catch (error) {
      return Promise.reject(asHandlerAnswer(error));
    }
    const answer = Promise.resolve(returned).catch(rethrowAsAnswer);
    if (typeof (returned as PromiseLike<unknown> | undefined)?.then !== "function") return answer;
    const signal = options?.signal;
    return signal === undefined ? answer : settledOrAborted(answer, signal);
  }
}

// What a query's handler threw (or its name having none) is the other side's
// answer: the caller's bus neither retries it nor counts it (handler_answers.ts).
function rethrowAsAnswer(error: unknown): never {
  throw asHandlerAnswer(error);
}
