/**
 * @module
 * ordo: event sourcing and messaging for TypeScript. Services append messages
 * to an event store that fixes their order; consumers read from a
 * checkpointed position and run idempotent handlers. This entry holds the
 * core model, the `EventStore` port, the error family and the in-memory
 * store; it imports nothing runtime-specific, so it loads straight from a URL.
 *
 * Runs on: Deno, Bun, Node, Cloudflare Workers and other Web-standard runtimes.
 *
 * @example
 * ```ts
 * import { createMemoryStore } from "./mod.ts";
 * const store = createMemoryStore();
 * await store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }], { expectedVersion: "no-stream" });
 * console.log(await store.readCategory("order"));
 * ```
 */

export {
  type AnyMessage,
  type AppendLimits,
  type AppendOptions,
  type AppendResult,
  categoryOf,
  ConcurrencyError,
  copyJson,
  DEFAULT_READ_LIMIT,
  DuplicateMessageError,
  type EventStore,
  type ExpectedVersion,
  type JsonObject,
  type JsonValue,
  type Message,
  type MessageInput,
  type MessageMetadata,
  type MessagePosition,
  OrdoError,
  type OrdoErrorTag,
  parseStreamName,
  type ReadGlobalOptions,
  type ReadStreamOptions,
  type RecordedMessage,
  StoreUnavailableError,
  streamName,
  type StreamInfo,
  type StreamNameParts,
  TimeoutError,
  ValidationError,
  type WaitOptions,
} from "./core/mod.ts";
export { createMemoryStore, type CreateMemoryStoreOptions } from "./stores/memory/mod.ts";
