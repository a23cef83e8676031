/**
 * @module
 * The in-memory event store and consumer storage: fast, complete, and gone
 * when the process ends. For tests, examples and edge isolates.
 *
 * Runs on: Deno, Bun, Node, Cloudflare Workers and other Web-standard runtimes.
 */

export { createMemoryStore, type CreateMemoryStoreOptions } from "./memory_store.ts";
export {
  createMemoryConsumerStorage,
  type CreateMemoryConsumerStorageOptions,
  type MemoryConsumerStorage,
} from "./memory_consumer_storage.ts";
export {
  createMemoryLeaseStore,
  type CreateMemoryLeaseStoreOptions,
  type MemoryLeaseStore,
} from "./memory_leases.ts";
export { MemoryTransaction } from "./memory_transaction.ts";
export {
  createMemoryControlStore,
  type CreateMemoryControlStoreOptions,
} from "./memory_control.ts";
