/**
 * @module
 * The in-memory event store: fast, complete, and gone when the process ends.
 * For tests, examples and edge isolates.
 *
 * Runs on: Deno, Bun, Node, Cloudflare Workers and other Web-standard runtimes.
 */

export { createMemoryStore, type CreateMemoryStoreOptions } from "./memory_store.ts";
