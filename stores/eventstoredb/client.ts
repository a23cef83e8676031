/**
 * The four client calls the adapter makes, as a structural type that both
 * `@eventstore/db-client` 6.x (`EventStoreDBClient`) and
 * `@kurrent/kurrentdb-client` 1.x (`KurrentDBClient`) satisfy. Neither package
 * is imported at run time (the types come from `@eventstore/db-client` and
 * are erased), so this adapter loads from a URL in Deno and the caller passes
 * a client in.
 *
 * @module
 */

import type {
  AppendExpectedRevision,
  Filter,
  JSONEventData,
  ReadAllOptions,
  ReadPosition,
  ReadStreamOptions,
  RecordedEvent,
} from "@eventstore/db-client";
import { ValidationError } from "../../core/mod.ts";

/** An event resolved by a read or a subscription, as both clients give it. */
export interface ResolvedEventLike {
  /** Absent for a link whose target event was deleted. */
  readonly event?: RecordedEvent;
}

/**
 * Append options that both clients read: `@eventstore/db-client` checks
 * `expectedRevision`, `@kurrent/kurrentdb-client` renamed it `streamState`.
 * Each ignores the other's key, so the adapter sends both; sending only one
 * would make the other client append with "any" and never refuse a stale
 * expected version.
 */
export interface AppendOptionsForBothClients {
  /** The expected revision, as `@eventstore/db-client` reads it. */
  readonly expectedRevision: AppendExpectedRevision;
  /** The same value, as `@kurrent/kurrentdb-client` reads it. */
  readonly streamState: AppendExpectedRevision;
}

/** A live `$all` subscription: events arrive as "data", a drop as "error" or "end". */
export interface LiveSubscription {
  /** Calls `listener` with each event the subscription delivers. */
  on(event: "data", listener: (resolved: ResolvedEventLike) => void): unknown;
  /** Calls `listener` when the subscription drops; the store subscribes again later while anyone waits. */
  on(event: "error" | "end", listener: () => void): unknown;
  /** Ends the subscription. */
  unsubscribe(): Promise<void>;
}

/** The client calls the adapter makes; `EventStoreDBClient` and `KurrentDBClient` have them all. */
export interface EventStoreDbClient {
  /** Appends events to one stream; refuses them when the stream is not at the expected revision. */
  appendToStream(
    streamName: string,
    events: JSONEventData | JSONEventData[],
    options: AppendOptionsForBothClients,
  ): Promise<{ readonly nextExpectedRevision: bigint }>;
  /** Reads one stream from a revision; iterating an absent stream throws the client's not-found error. */
  readStream(streamName: string, options: ReadStreamOptions): AsyncIterable<ResolvedEventLike>;
  /** Reads `$all` from a log position, forwards or backwards. */
  readAll(options: ReadAllOptions): AsyncIterable<ResolvedEventLike>;
  /** Follows `$all` from a log position, server-side filtered; the store waits for new positions with it. */
  subscribeToAll(
    options: { readonly fromPosition: ReadPosition; readonly filter: Filter },
  ): LiveSubscription;
}

const METHODS = ["appendToStream", "readStream", "readAll", "subscribeToAll"] as const;

/**
 * Checks that `client` has the calls of an EventStoreDB / KurrentDB client.
 *
 * @throws {ValidationError} naming the first missing call
 * @example
 * ```ts
 * import { validateClient } from "./client.ts";
 * try {
 *   validateClient({});
 * } catch (error) {
 *   console.log((error as Error).message);
 *   // Invalid client (Object): expected an @eventstore/db-client or @kurrent/kurrentdb-client client, it has no appendToStream()
 * }
 * ```
 */
export function validateClient(client: unknown): EventStoreDbClient {
  if (typeof client !== "object" || client === null) {
    throw new ValidationError(
      "client",
      client,
      "expected an @eventstore/db-client or @kurrent/kurrentdb-client client such as EventStoreDBClient.connectionString(url) or KurrentDBClient.connectionString(url) gives",
    );
  }
  for (const method of METHODS) {
    if (typeof (client as Record<string, unknown>)[method] !== "function") {
      throw new ValidationError(
        "client",
        client,
        `expected an @eventstore/db-client or @kurrent/kurrentdb-client client, it has no ${method}()`,
      );
    }
  }
  return client as EventStoreDbClient;
}
