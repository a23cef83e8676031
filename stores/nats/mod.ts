/**
 * @module
 * The NATS JetStream adapters, for users who outgrow one PostgreSQL server:
 * an event store whose streams are subjects of one replicated JetStream
 * stream (R1, R3, R5), and consumer storage on JetStream key-value buckets,
 * so consumers, consumer groups and parking run on NATS alone. They take a
 * NATS connection and the `headers` factory of the caller's `@nats-io`
 * package and import only types, so this entry loads from a URL.
 * Decisions, guarantees and their limits: docs/decisions/nats.md.
 *
 * Runs on: Node 20+, Bun and Deno (with `@nats-io/transport-node`; Deno needs
 * `--allow-net`), and over WebSocket (`wsconnect` of `@nats-io/nats-core`)
 * wherever a global `WebSocket` exists: Deno, Bun, browsers, edge isolates.
 *
 * @example
 * ```ts ignore
 * import { connect, headers } from "@nats-io/transport-node";
 * import { createNatsStore } from "./mod.ts";
 * const nc = await connect({ servers: "127.0.0.1:4222" });
 * const store = createNatsStore(nc, { headers, replicas: 1 });
 * await store.setup();
 * await store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }]);
 * ```
 */

export { createNatsStore, type NatsEventStore } from "./nats_store.ts";
export {
  createNatsConsumerStorage,
  type CreateNatsConsumerStorageOptions,
  type NatsConsumerStorage,
} from "./nats_consumer_storage.ts";
export { NatsTransaction } from "./nats_transaction.ts";
export {
  type HeadersFactory,
  KvBucket,
  type KvEntry,
  validateBucket,
  validateSubjectPrefix,
} from "./jetstream/mod.ts";
export { type CreateNatsStoreOptions, validateStreamName } from "./store_options.ts";
export {
  type BatchRecord,
  decodeRecord,
  fromGlobalPosition,
  POSITIONS_PER_SEQUENCE,
  recordedMessages,
  type RecordEntry,
  toGlobalPosition,
} from "./batch_record.ts";
export { type StoreSubjects, storeSubjects } from "./subjects.ts";
