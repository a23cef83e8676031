/**
 * @module
 * Operating ordo (`ordo/admin`): the web console, and what it and the `ordo`
 * command line show and do, as functions over a store and its consumer
 * storage. `createAdminHandler` serves the console (overview, streams,
 * consumers, parked messages) as a Web `Request -> Response` handler with
 * operator and viewer credentials.
 * `inspectStore` and `inspectConsumers` read the head, streams, categories
 * and every consumer group with its partitions, owners, lag and parked
 * messages, from the storage, so consumers in other processes show too;
 * `requestReplay` asks a group's running consumers to replay a parked
 * message through their handler. Web-standard APIs only.
 *
 * Runs on: Deno, Bun, Node, Cloudflare Workers (workerd) and other Web-standard runtimes.
 *
 * @example
 * ```ts
 * import { createMemoryConsumerStorage, createMemoryStore } from "../mod.ts";
 * import { inspectConsumers, inspectStore } from "./mod.ts";
 * const store = createMemoryStore();
 * await store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }]);
 * console.log(await inspectStore(store));
 * console.log(await inspectConsumers(store, createMemoryConsumerStorage())); // []
 * ```
 */

export {
  type AdminAuth,
  type AdminCredential,
  type AdminHandler,
  type AdminRole,
  createAdminHandler,
  type CreateAdminHandlerOptions,
} from "./handler.ts";
export {
  type ConsumerGroupView,
  inspectConsumers,
  type InspectConsumersOptions,
  type LastErrorView,
  type PartitionView,
  type RunningConsumerView,
} from "./inspect_consumers.ts";
export type { NatsEventGroupLister } from "./_nats_event_groups.ts";
export { inspectStore, type InspectStoreOptions, type StoreView } from "./inspect_store.ts";
export {
  listParkedMessages,
  type ListParkedMessagesOptions,
  type ParkedListing,
  type ParkedMore,
} from "./list_parked.ts";
export {
  type ReplayAsked,
  type ReplayOutcome,
  replayOutcomes,
  requestReplay,
  requestReplayAll,
  type RequestReplayOptions,
} from "./replay_requests.ts";
