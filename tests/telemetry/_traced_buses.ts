// Buses with telemetry over each transport the trace tests cover: one
// harness records both ends. `client` makes the calls, `server` registers
// the handlers; in-process, store-backed and NATS they are one bus, over HTTP
// the client's transport is createHttpTransport whose fetch goes straight to
// the server's createHttpHandler (no socket: the headers are what matters).
// On NATS, as on the store-backed transport, only the store is given the
// telemetry: the transport and the bus inherit it.
import { headers } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { type Bus, createBus, noTelemetry, type Telemetry } from "../../mod.ts";
import { createMemoryConsumerStorage, createMemoryStore } from "../../stores/memory/mod.ts";
import type { NatsEventStore } from "../../stores/nats/mod.ts";
import { createHttpHandler, createHttpTransport } from "../../transports/http/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { createNatsTransport, type NatsTransport } from "../../transports/nats/mod.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";
import { freshStore } from "../stores/_nats_fixtures.ts";

/** The transports the trace tests run over. */
export type TransportKind = "in-process" | "store-backed" | "http" | "nats";

/** Both ends of one service, and how to close them. */
export interface TracedBuses {
  readonly client: Bus;
  readonly server: Bus;
  close(): Promise<void>;
}

/** A NATS transport over `store` with a command stream and ledger of its own, set up. */
export async function natsTransportOver(
  nc: NatsConnection,
  store: NatsEventStore,
  extra: { telemetry?: typeof noTelemetry } = {},
): Promise<NatsTransport> {
  const transport = createNatsTransport(nc, {
    headers,
    store,
    subjectPrefix: `bus_${store.subjectPrefix}`,
    commandStream: `${store.stream}_CMD`,
    ledgerBucket: `ledger_${store.subjectPrefix}`,
    retry: { initialDelay: 1, maxDelay: 2 },
    ...extra,
  });
  await transport.setup();
  return transport;
}

/**
 * A client and a server bus over `kind`, both reporting to `telemetry`;
 * `nc` is the connection to nats-server, needed for `"nats"` only.
 */
export async function tracedBuses(
  kind: TransportKind,
  telemetry: Telemetry,
  nc?: NatsConnection,
): Promise<TracedBuses> {
  if (kind === "in-process") {
    const bus = createBus({ transport: createInProcessTransport({ telemetry }), name: "shop" });
    return oneBus(bus);
  }
  if (kind === "store-backed") {
    const store = createMemoryStore({ telemetry });
    const storage = createMemoryConsumerStorage();
    return oneBus(createBus({
      transport: createStoreBackedTransport(store, { storage }),
      name: "shop",
    }));
  }
  if (kind === "nats") {
    if (nc === undefined) throw new Error("tracedBuses: NATS needs a connection");
    const store = await freshStore(nc, { telemetry });
    const bus = createBus({ transport: await natsTransportOver(nc, store), name: "shop" });
    return {
      client: bus,
      server: bus,
      close: async () => {
        await bus.close();
        await store.close();
      },
    };
  }
  const inner = createInProcessTransport({ telemetry });
  const server = createBus({ transport: inner, name: "orders" });
  const handler = createHttpHandler({ transport: inner, auth: { none: true } });
  const client = createBus({
    transport: createHttpTransport({
      url: "http://orders.internal",
      auth: { none: true },
      fetch: (url, init) => handler.fetch(new Request(url, init)),
      telemetry,
    }),
    name: "front",
  });
  return {
    client,
    server,
    close: async () => {
      await client.close();
      await handler.close();
      await server.close();
    },
  };
}

function oneBus(bus: Bus): TracedBuses {
  return { client: bus, server: bus, close: () => bus.close() };
}
