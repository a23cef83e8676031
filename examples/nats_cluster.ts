import { connect, headers } from "@nats-io/transport-node";
import { createBus } from "../mod.ts";
import { createNatsConsumerStorage, createNatsStore } from "../stores/nats/mod.ts";
import { createNatsTransport } from "../transports/nats/mod.ts";

/** ordo on a NATS cluster: the event store, consumer storage and the bus, all R3. */
export async function startOnNats(servers: string[]) {
  // Keep reconnecting however long a server is away: by default the client gives up after
  // 10 tries (about 20 s) and closes the connection for good, and ordo with it.
  const nc = await connect({ servers, maxReconnectAttempts: -1 });
  const store = createNatsStore(nc, { headers, replicas: 3 });
  const storage = createNatsConsumerStorage(nc, {
    headers,
    replicas: 3,
    buckets: ["order_totals"],
  });
  // Each takes its own replicas: the transport's command queue and ledger too.
  const transport = createNatsTransport(nc, { headers, store, storage, replicas: 3 });
  await store.setup();
  await storage.setup();
  await transport.setup();
  const bus = createBus({ transport });
  return {
    nc,
    store,
    storage,
    bus,
    /** Stops ordo, then the connection: until it is closed, it keeps the process running. */
    async close() {
      await bus.close(); // and the transport: handlers finish the message in hand
      await store.close();
      storage.close();
      // Sends what is buffered, then closes. With no server there (an outage) drain
      // fails, and the connection would go on reconnecting: close it instead.
      await nc.drain().catch(() => nc.close());
    },
  };
}
