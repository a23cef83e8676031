// Shared set-up for tests of the NATS store: a connection to this process's
// nats-server, and stores that each get streams of their own (deleted when
// the store is closed), so every test and property run starts empty.
import { connect, headers } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { silentLogger } from "../../core/mod.ts";
import { createNatsStore, type NatsEventStore } from "../../stores/nats/mod.ts";
import type { CreateNatsStoreOptions } from "../../stores/nats/mod.ts";
import { JetStreamApi } from "../../stores/nats/jetstream/mod.ts";

const run = crypto.randomUUID().slice(0, 6);
let count = 0;

/** A unique stream name and subject prefix for one store. */
export function freshNames(): { stream: string; subjectPrefix: string } {
  const n = count++;
  return { stream: `T${run}_${n}`, subjectPrefix: `t${run}_${n}` };
}

/** Connects to `urls` with reconnects on, as a service would. */
export async function connectNats(urls: readonly string[]): Promise<NatsConnection> {
  return await connect({ servers: [...urls], maxReconnectAttempts: -1, reconnectTimeWait: 100 });
}

/** Deletes streams by name, ignoring those already gone. */
export async function deleteStreams(nc: NatsConnection, names: readonly string[]): Promise<void> {
  const api = new JetStreamApi({ connection: nc, headers });
  await Promise.all(names.map((name) => api.deleteStream(name).catch(() => {})));
  api.close();
}

/**
 * A new store over fresh streams, set up; closing it deletes its streams
 * (unless `keep`).
 */
export async function freshStore(
  nc: NatsConnection,
  options: Partial<CreateNatsStoreOptions> & { keep?: boolean } = {},
): Promise<NatsEventStore> {
  const { keep, ...storeOptions } = options;
  // Silent unless a test asks: what is built on it (consumers whose handlers
  // fail on purpose) inherits the store's logger.
  const store = createNatsStore(nc, {
    headers,
    logger: silentLogger,
    ...freshNames(),
    ...storeOptions,
  });
  await store.setup();
  if (keep) return store;
  const close = store.close.bind(store);
  Object.defineProperty(store, "close", {
    value: async () => {
      await close();
      await deleteStreams(nc, [store.stream, `${store.stream}_IDS`]);
    },
  });
  return store;
}
