/**
 * @module
 * The EventStoreDB / KurrentDB event store, for users who already run those
 * clusters. It takes an `@eventstore/db-client` or `@kurrent/kurrentdb-client`
 * client and imports only types, so this entry loads from a URL. Global
 * positions are derived from `$all` positions (see `toGlobalPosition`); an
 * optional namespace keeps one store's streams apart from everything else on
 * the server.
 * Decisions and limits: docs/decisions/eventstoredb.md.
 *
 * Runs on: Node 20+ and Bun (measured: Node 20.20.2, Bun 1.4.5, with
 * `@eventstore/db-client` 6.2.1 and `@kurrent/kurrentdb-client` 1.3.1).
 * Refused on Deno (an `UnsupportedRuntimeError` at creation, unless
 * `unsupportedRuntime: "allow"`): Deno 2.9.5's node:http2 crashes the process
 * when the server goes away (see `deno_refusal.ts`). Not on edge isolates
 * (the clients need node:http2).
 *
 * @example
 * ```ts ignore
 * import { EventStoreDBClient } from "@eventstore/db-client";
 * import { createEventStoreDbStore } from "./mod.ts";
 * const client = EventStoreDBClient.connectionString("esdb://localhost:2113?tls=false");
 * const store = createEventStoreDbStore(client);
 * await store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }]);
 * ```
 */

export type {
  AppendOptionsForBothClients,
  EventStoreDbClient,
  LiveSubscription,
  ResolvedEventLike,
} from "./client.ts";
export type { UnsupportedRuntimePolicy } from "./deno_refusal.ts";
export {
  createEventStoreDbStore,
  type CreateEventStoreDbStoreOptions,
} from "./eventstoredb_store.ts";
export { toGlobalPosition, toLogPosition } from "./global_position.ts";
