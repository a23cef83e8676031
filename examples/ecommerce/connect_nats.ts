// The shop on NATS JetStream (NATS_URL set): the NATS store, consumer storage
// on key-value buckets and the NATS transport, all named after ORDO_SCHEMA so
// the three services find each other's streams. Each service sets up what it
// uses (idempotent, safe to run at once).
import { connect, headers } from "@nats-io/transport-node";
import type { ConsumerStorage, Telemetry } from "../../mod.ts";
import { createNatsConsumerStorage, createNatsStore } from "../../stores/nats/mod.ts";
import { createNatsTransport } from "../../transports/nats/mod.ts";
import type { ShopSettings } from "./_env.ts";
import { optional } from "./_env.ts";
import type { ShopConnection } from "./connect.ts";
import { kvInventory } from "./inventory_kv.ts";

/** The names of the shop's streams, subjects and buckets. */
export function natsNames(schema: string) {
  return {
    stream: schema.toUpperCase(),
    subjectPrefix: schema,
    consumers: `${schema}_consumers`,
    inventory: `${schema}_inventory`,
    bus: {
      subjectPrefix: `${schema}_bus`,
      commandStream: `${schema.toUpperCase()}_COMMANDS`,
      ledgerBucket: `${schema}_commands`,
    },
  };
}

/**
 * Connects to `settings.natsUrl` as `service` and sets the store and storage
 * up; with `telemetry`, the store traces its appends and the transport made
 * over it inherits it.
 */
export async function connectNatsShop(
  service: string,
  settings: ShopSettings,
  telemetry?: Telemetry,
): Promise<ShopConnection> {
  const names = natsNames(settings.schema);
  const replicas = Number(optional("NATS_REPLICAS") ?? "1");
  const nc = await connect({
    servers: settings.natsUrl!.split(","),
    name: service,
    maxReconnectAttempts: -1,
  });
  const store = createNatsStore(nc, {
    headers,
    stream: names.stream,
    subjectPrefix: names.subjectPrefix,
    replicas,
    telemetry,
  });
  const storage = createNatsConsumerStorage(nc, {
    headers,
    bucket: names.consumers,
    buckets: [names.inventory],
    replicas,
  });
  await store.setup();
  await storage.setup();
  return {
    store,
    storage: storage as ConsumerStorage<unknown>,
    schema: settings.schema,
    async transport(onError) {
      const transport = createNatsTransport(nc, {
        headers,
        store,
        storage: storage as ConsumerStorage<unknown>,
        replicas,
        onError,
        ...names.bus,
      });
      await transport.setup();
      return transport;
    },
    inventory: async () => kvInventory(storage.bucket(names.inventory)),
    async close() {
      storage.close();
      await store.close();
      await nc.drain();
    },
  };
}
