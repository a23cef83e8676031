/**
 * Query handlers by name, for transports that answer queries in this process.
 *
 * @module
 */

import { ValidationError } from "../errors.ts";
import { serviceOf } from "./names.ts";
import type { QueryEndpoint, QueryEnvelope, Registration } from "./transport.ts";

const READY = Promise.resolve();

/**
 * The error for a query nobody handles.
 *
 * @example
 * ```ts
 * import { unknownQueryError } from "./query_registry.ts";
 * unknownQueryError("orders/nope").message; // Invalid query "orders/nope": no handler is registered for it
 * ```
 */
export function unknownQueryError(name: string): ValidationError {
  return new ValidationError("query", name, "no handler is registered for it");
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
  readonly #handlers = new Map<string, QueryEndpoint>();
  readonly #contexts = new Map<string, { readonly name: string }>();

  /** Registers the one handler of a query name. @throws {ValidationError} when the name is taken */
  register(name: string, handler: QueryEndpoint): Registration {
    serviceOf(name, "query");
    if (this.#handlers.has(name)) throw new ValidationError("query", name, "a handler is already registered for it");
    this.#handlers.set(name, handler);
    this.#contexts.set(name, Object.freeze({ name }));
    return {
      ready: READY,
      stop: () => {
        if (this.#handlers.get(name) === handler) {
          this.#handlers.delete(name);
          this.#contexts.delete(name);
        }
        return READY;
      },
    };
  }

  /** Calls the handler; rejects with {@link unknownQueryError} when there is none. */
  async dispatch(query: QueryEnvelope): Promise<unknown> {
    const handler = this.#handlers.get(query.name);
    if (handler === undefined) throw unknownQueryError(query.name);
    return await handler(query.payload, this.#contexts.get(query.name)!);
  }
}
