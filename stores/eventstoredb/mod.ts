/**
 * @module
 * The EventStoreDB / KurrentDB event store, for users who already run those
 * clusters. It takes an `@eventstore/db-client` client and imports only its
 * types, so this entry loads from a URL in Deno too. Global positions are
 * derived from `$all` positions (see `toGlobalPosition`); an optional
 * namespace keeps one store's streams apart from everything else on the server.
 * Decisions and limits: docs/decisions/eventstoredb.md.
 *
 * Runs on: Node 20+, Bun and Deno 2 (client loads and reports connection
 * failures on all three; only Node is what the client's authors support),
 * not on edge isolates (the client needs node:http2).
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

export type { EventStoreDbClient } from "./client.ts";
export { createEventStoreDbStore, type CreateEventStoreDbStoreOptions } from "./eventstoredb_store.ts";
export { toGlobalPosition, toLogPosition } from "./global_position.ts";
