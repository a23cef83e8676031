/**
 * The part of an `@eventstore/db-client` client the adapter uses, named by
 * type only: the package is never imported at run time, so this adapter loads
 * from a URL in Deno and the caller passes a client in.
 *
 * @module
 */

import type { EventStoreDBClient } from "@eventstore/db-client";
import { ValidationError } from "../../core/mod.ts";

/** The client calls the adapter makes; an `EventStoreDBClient` has them all. */
export type EventStoreDbClient = Pick<EventStoreDBClient, "appendToStream" | "readStream" | "readAll" | "subscribeToAll">;

const METHODS = ["appendToStream", "readStream", "readAll", "subscribeToAll"] as const;

/**
 * Checks that `client` has the calls of an `@eventstore/db-client` client.
 *
 * @throws {ValidationError} naming the first missing call
 * @example
 * ```ts
 * import { validateClient } from "./client.ts";
 * try {
 *   validateClient({});
 * } catch (error) {
 *   console.log((error as Error).message); // Invalid client (Object): expected an @eventstore/db-client client, it has no appendToStream()
 * }
 * ```
 */
export function validateClient(client: unknown): EventStoreDbClient {
  if (typeof client !== "object" || client === null) {
    throw new ValidationError("client", client, "expected an @eventstore/db-client client such as EventStoreDBClient.connectionString(url) gives");
  }
  for (const method of METHODS) {
    if (typeof (client as Record<string, unknown>)[method] !== "function") {
      throw new ValidationError("client", client, `expected an @eventstore/db-client client, it has no ${method}()`);
    }
  }
  return client as EventStoreDbClient;
}
